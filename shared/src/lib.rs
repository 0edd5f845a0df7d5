//! Peerlearn's library crate.
//!
//! Layers, inside out: [`domain`] (pure types and rules), [`ports`] (the small traits the
//! use cases need), [`app`] (use cases), [`adapters`] (DynamoDB), [`auth`] (password
//! hashing and tokens) and [`http`] (request parsing and `application/problem+json`).
//! Function crates stay thin: parse, authorize, call [`app`], map the result.

pub mod adapters;
pub mod api;
pub mod app;
pub mod auth;
pub mod config;
pub mod domain;
pub mod http;
pub mod observability;
pub mod ports;
pub mod runtime;
pub mod startup;
pub mod stream;

pub use startup::App;
