//! The error responses of the OpenAPI document, declared once.
//!
//! Every error is a [`super::Problem`] as `application/problem+json`, so an operation's
//! annotation names only the status and, where it says something of its own, a description:
//! `(status = 404, description = "No such session, or not yours")`. [`ErrorResponses`] then
//! gives every error response the problem body (and the `WWW-Authenticate` or `Retry-After`
//! header its status carries), and refers every operation to the shared responses that apply
//! to it: `401` with bearer security, `400`/`413`/`415` with a JSON body, `400` with query
//! parameters (unknown or bad ones are refused, `super::QueryParams`). A status an operation
//! documents itself keeps its own wording.

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{Content, ContentBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, PartialSchema as _, ToSchema as _};

use super::Problem;

/// When a shared response applies to an operation.
#[derive(Clone, Copy)]
enum Applies {
    /// Operations with bearer security.
    Authenticated,
    /// Operations with a JSON request body.
    WithBody,
    /// Operations with a JSON request body or query parameters.
    WithInput,
}

/// The shared responses: component name, status, description, when it applies.
const SHARED: [(&str, &str, &str, Applies); 4] = [
    ("Unauthorized", "401", "No access token, or one that is invalid or expired", Applies::Authenticated),
    ("BadRequest", "400", "Invalid fields or parameters; `errors` names each one", Applies::WithInput),
    ("PayloadTooLarge", "413", "The body exceeds 16 KiB", Applies::WithBody),
    ("UnsupportedMediaType", "415", "The body is not application/json", Applies::WithBody),
];

/// Completes the error responses of a whole document (see the module docs); the dev
/// gateway applies it to the document it assembles from every function's operations.
pub struct ErrorResponses;

impl Modify for ErrorResponses {
    fn modify(&self, doc: &mut OpenApi) {
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
                refer_to_shared(operation);
                for (status, response) in &mut operation.responses.responses {
                    if let RefOr::T(response) = response {
                        complete(status, response);
                    }
                }
            }
        }
        let components = doc.components.get_or_insert_with(Default::default);
        // The problem schema and those it refers to, which no annotation names any more.
        let mut schemas = vec![(Problem::name().into_owned(), Problem::schema())];
        Problem::schemas(&mut schemas);
        for (name, schema) in schemas {
            components.schemas.entry(name).or_insert(schema);
        }
        for (name, status, description, _) in SHARED {
            let mut response = ResponseBuilder::new().description(description).build();
            complete(status, &mut response);
            components.responses.insert(name.to_owned(), RefOr::T(response));
        }
    }
}

/// Refers `operation` to the shared responses that apply to it, keeping any it documents
/// itself (its own wording wins).
fn refer_to_shared(operation: &mut Operation) {
    let authenticated = operation.security.as_ref().is_some_and(|requirements| !requirements.is_empty());
    let takes_body = operation.request_body.is_some();
    let takes_query = operation
        .parameters
        .as_ref()
        .is_some_and(|parameters| parameters.iter().any(|p| matches!(p.parameter_in, ParameterIn::Query)));
    for (name, status, _, applies) in SHARED {
        let applies = match applies {
            Applies::Authenticated => authenticated,
            Applies::WithBody => takes_body,
            Applies::WithInput => takes_body || takes_query,
        };
        if applies {
            operation
                .responses
                .responses
                .entry(status.to_owned())
                .or_insert_with(|| RefOr::Ref(Ref::new(format!("#/components/responses/{name}"))));
        }
    }
}

/// Gives an error response (4xx, 5xx) the problem body and its status's header, unless it
/// declares a body of its own.
fn complete(status: &str, response: &mut Response) {
    if !(status.starts_with('4') || status.starts_with('5')) || !response.content.is_empty() {
        return;
    }
    response.content.insert("application/problem+json".to_owned(), problem_content());
    let header = match status {
        "401" => Some(("WWW-Authenticate", "Bearer")),
        "429" => Some(("Retry-After", "Seconds until the limit's window ends (as `retry_after`)")),
        _ => None,
    };
    if let Some((name, description)) = header {
        let schema_type = if status == "429" { Type::Integer } else { Type::String };
        let header = HeaderBuilder::new()
            .schema(ObjectBuilder::new().schema_type(schema_type))
            .description(Some(description))
            .build();
        response.headers.entry(name.to_owned()).or_insert(header);
    }
}

fn problem_content() -> Content {
    ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build()
}

/// The roles a member can start with (register, a first Google sign-in), as an enum in the
/// schema.
pub fn roles_schema() -> utoipa::openapi::Object {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["learner", "mentor", "both"])).build()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use serde_json::Value;

    /// Two operations as handlers annotate them: one authenticated with a body, one public
    /// with a query parameter and a documented 404 and 429.
    #[derive(utoipa::OpenApi)]
    #[openapi(paths(with_body, with_query))]
    struct Sample;

    #[allow(dead_code)]
    #[derive(serde::Deserialize, utoipa::ToSchema)]
    struct Input {
        name: String,
    }

    #[utoipa::path(post, path = "/things", security(("bearer" = [])), request_body = Input,
        responses((status = 204, description = "Done"), (status = 400, description = "Invalid name, or taken")))]
    #[allow(dead_code)]
    fn with_body() {}

    #[utoipa::path(get, path = "/things/{id}",
        params(("id" = String, Path), ("limit" = Option<u32>, Query)),
        responses((status = 200, description = "The thing", body = String),
            (status = 404, description = "No such thing"),
            (status = 429, description = "Too many")))]
    #[allow(dead_code)]
    fn with_query() {}

    fn document() -> Value {
        let mut doc = <Sample as utoipa::OpenApi>::openapi();
        ErrorResponses.modify(&mut doc);
        serde_json::to_value(&doc).unwrap()
    }

    #[test]
    fn operations_refer_to_the_shared_responses_that_apply_and_keep_their_own() {
        let doc = document();
        let post = &doc["paths"]["/things"]["post"]["responses"];
        assert_eq!(post["401"]["$ref"], "#/components/responses/Unauthorized");
        assert_eq!(post["413"]["$ref"], "#/components/responses/PayloadTooLarge");
        assert_eq!(post["415"]["$ref"], "#/components/responses/UnsupportedMediaType");
        assert_eq!(post["400"]["description"], "Invalid name, or taken");
        let get = &doc["paths"]["/things/{id}"]["get"]["responses"];
        assert_eq!(get["400"]["$ref"], "#/components/responses/BadRequest");
        assert!(get.get("401").is_none() && get.get("413").is_none(), "{get}");
        for name in ["Unauthorized", "BadRequest", "PayloadTooLarge", "UnsupportedMediaType"] {
            let shared = &doc["components"]["responses"][name];
            assert_eq!(shared["content"]["application/problem+json"]["schema"]["$ref"], "#/components/schemas/Problem");
        }
        assert_eq!(
            doc["components"]["responses"]["Unauthorized"]["headers"]["WWW-Authenticate"]["description"],
            "Bearer"
        );
        // The problem schema comes along, with the field errors it lists.
        assert_eq!(doc["components"]["schemas"]["Problem"]["properties"]["type"]["type"], "string");
        assert!(doc["components"]["schemas"].get("FieldError").is_some());
    }

    #[test]
    fn every_error_response_is_a_problem_and_successes_stay_as_declared() {
        let doc = document();
        let get = &doc["paths"]["/things/{id}"]["get"]["responses"];
        for status in ["404", "429"] {
            assert_eq!(
                get[status]["content"]["application/problem+json"]["schema"]["$ref"],
                "#/components/schemas/Problem"
            );
        }
        assert_eq!(get["429"]["headers"]["Retry-After"]["schema"]["type"], "integer");
        assert!(get["200"]["content"].get("application/problem+json").is_none());
        assert!(doc["paths"]["/things"]["post"]["responses"]["204"].get("content").is_none());
    }
}
