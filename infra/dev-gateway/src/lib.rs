//! The local stand-in for API Gateway: serves template.yaml's HTTP routes by calling each
//! function's real handler with a genuine API Gateway v2 event, and creates the local
//! table from the template. Used by `make dev` and by the end-to-end tests.

pub mod clock;
pub mod connections;
pub mod event;
pub mod gateway;
pub mod handlers;
pub mod iam;
pub mod iam_http;
pub mod local;
pub mod metering;
pub mod openapi;
pub mod sigv4;
pub mod stream;
pub mod table;
pub mod template;
pub mod template_functions;
pub mod ws;

pub use gateway::{Gateway, GatewayError};
pub use template::Template;
