//! HTTP edge: body parsing, caller authentication, JSON and problem+json responses.

mod app_errors;
mod auth;
mod body;
mod fields;
mod openapi;
mod problem;
mod problem_type;
mod query;
mod response;
mod websocket;

pub use auth::{Caller, authenticate, authenticate_admin, authenticate_token};
pub use body::{MAX_BODY_BYTES, parse_json, parse_json_bytes, require_json_type};
pub use fields::{Fields, nullable, nullable_object};
pub use openapi::{ErrorResponses, roles_schema};
pub use problem::{ApiError, FieldError, Problem, TOKEN_EXPIRED_TYPE, problem};
pub use problem_type::ProblemType;
pub use query::{MAX_PAGE, PageRequest, QueryParams, path_member, path_param, path_resource};
pub use response::{json, no_content, route_key, source_address};
pub use websocket::{MAX_FRAME_BYTES, connection_id, error_frame, ws_error, ws_response, ws_route};

/// The response type every handler returns.
pub type HttpResponse = lambda_http::Response<lambda_http::Body>;
