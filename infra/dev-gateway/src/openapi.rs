//! The OpenAPI 3.1 document, assembled from each function's annotated operations.
//!
//! Error responses are completed once for the whole document by
//! `shared::http::ErrorResponses`: the problem+json body of every error status, and shared
//! components for what every operation of a kind can give (401 with bearer security,
//! 400/413/415 with a JSON body, 400 with query parameters). A handler documents only what is
//! particular to it (a 404, a 409, a 429 of its own), by status and description.

use shared::http::ErrorResponses;
use utoipa::Modify as _;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{InfoBuilder, OpenApi};

use crate::handlers::Function;

/// Merges the functions' operations into one document for the whole HTTP API.
pub fn document(functions: &[Function]) -> OpenApi {
    let mut doc = OpenApi::new(
        InfoBuilder::new()
            .title("Peerlearn API")
            .version(env!("CARGO_PKG_VERSION"))
            .description(Some(
                "Peer-to-peer learning and mentorship. Errors are application/problem+json (RFC 9457) \
                 with a stable `type` URI per kind (see the Problem schema).",
            ))
            .build(),
        utoipa::openapi::Paths::new(),
    );
    for function in functions {
        doc.merge((function.openapi)());
    }
    ErrorResponses.modify(&mut doc);
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
    );
    doc
}

/// Every operation in the document as an API Gateway route key (`GET /users/{id}`).
pub fn route_keys(doc: &OpenApi) -> Vec<String> {
    let mut keys = Vec::new();
    for (path, item) in &doc.paths.paths {
        let methods = [
            ("GET", item.get.is_some()),
            ("PUT", item.put.is_some()),
            ("POST", item.post.is_some()),
            ("DELETE", item.delete.is_some()),
            ("PATCH", item.patch.is_some()),
            ("OPTIONS", item.options.is_some()),
            ("HEAD", item.head.is_some()),
        ];
        keys.extend(methods.iter().filter(|(_, present)| *present).map(|(method, _)| format!("{method} {path}")));
    }
    keys.sort();
    keys
}
