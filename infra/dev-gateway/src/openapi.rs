//! The OpenAPI 3.1 document, assembled from each function's annotated operations.
//!
//! Responses every operation of a kind can give are declared here once, as shared
//! components, instead of in each handler: 401 on every authenticated operation, and
//! 400/413/415 on every operation that takes a JSON body (`shared::http::parse_json`).
//! A handler documents only what is particular to it (a 404, a 409, a 429 of its own).

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, InfoBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder};

use crate::handlers::Function;

/// The shared responses: (component name, status, description).
const COMMON: [(&str, &str, &str); 4] = [
    ("Unauthorized", "401", "No access token, or one that is invalid or expired"),
    ("BadRequest", "400", "Invalid fields; `errors` names each one"),
    ("PayloadTooLarge", "413", "The body exceeds 16 KiB"),
    ("UnsupportedMediaType", "415", "The body is not application/json"),
];

/// Merges the functions' operations into one document for the whole HTTP API.
pub fn document(functions: &[Function]) -> OpenApi {
    let mut doc = OpenApi::new(
        InfoBuilder::new()
            .title("Peerlearn API")
            .version(env!("CARGO_PKG_VERSION"))
            .description(Some("Peer-to-peer learning and mentorship. Errors are application/problem+json (RFC 9457)."))
            .build(),
        utoipa::openapi::Paths::new(),
    );
    for function in functions {
        doc.merge((function.openapi)());
    }
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.options,
            &mut item.head,
        ];
        for operation in operations.into_iter().flatten() {
            add_common_responses(operation);
        }
    }
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
    );
    for (name, status, description) in COMMON {
        components.responses.insert(name.to_owned(), RefOr::T(problem_response(status, description)));
    }
    doc
}

/// Refers `operation` to the shared responses that apply to it, keeping any it documents
/// itself (its own wording wins).
fn add_common_responses(operation: &mut Operation) {
    let authenticated = operation.security.as_ref().is_some_and(|requirements| !requirements.is_empty());
    let takes_body = operation.request_body.is_some();
    for (name, status, _) in COMMON {
        let applies = if status == "401" { authenticated } else { takes_body };
        if applies {
            operation
                .responses
                .responses
                .entry(status.to_owned())
                .or_insert_with(|| RefOr::Ref(Ref::new(format!("#/components/responses/{name}"))));
        }
    }
}

fn problem_response(status: &str, description: &str) -> Response {
    let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build();
    let mut response = ResponseBuilder::new().description(description).content("application/problem+json", content);
    if status == "401" {
        let challenge = HeaderBuilder::new()
            .schema(ObjectBuilder::new().schema_type(Type::String))
            .description(Some("Bearer"))
            .build();
        response = response.header("WWW-Authenticate", challenge);
    }
    response.build()
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
