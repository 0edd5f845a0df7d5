//! Which functions template.yaml declares, and whether each is HTTP (has `HttpApi` events)
//! or event-driven (schedules, WebSocket routes, streams); and which function crates the
//! dev gateway's Cargo.toml links. The build script includes this file to generate the
//! handler table (`handlers.rs`), and the checks in `tests/function_list.rs` compare the
//! two, so it depends on serde_yaml and thiserror only. Resources of any other type are
//! skipped, whatever they are.

use serde_yaml::Value;

/// A function resource of the template (`Type: AWS::Serverless::Function`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredFunction {
    /// Its logical id, e.g. `RegisterFunction`.
    pub logical_id: String,
    /// `Metadata.BuildProperties.Binary`: the binary, which the dev gateway names it by.
    pub binary: String,
    /// `Properties.CodeUri`: the crate's directory, e.g. `functions/register`.
    pub code_uri: String,
    /// Whether any of its events is `Type: HttpApi`.
    pub http: bool,
}

impl DeclaredFunction {
    /// The crate's directory name under `functions/` (the last segment of `CodeUri`).
    pub fn crate_dir(&self) -> &str {
        self.code_uri.trim_end_matches('/').rsplit('/').next().unwrap_or(&self.code_uri)
    }

    /// The crate as Rust code names it: the directory with `-` as `_`.
    pub fn crate_ident(&self) -> String {
        self.crate_dir().replace('-', "_")
    }
}

/// The template's functions could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DeclaredError {
    /// Not YAML.
    #[error("template.yaml is not valid YAML: {0}")]
    Yaml(#[from] serde_yaml::Error),
    /// A function lacks what the build needs.
    #[error("template.yaml: {0}")]
    Shape(String),
}

/// Every function resource of `text` (a template), in template order.
pub fn declared_functions(text: &str) -> Result<Vec<DeclaredFunction>, DeclaredError> {
    // serde_yaml keeps CloudFormation short forms (`!Ref`, `!GetAtt`, `!Sub`) as tagged
    // values, so they parse; only the literal fields below are read.
    let doc: Value = serde_yaml::from_str(text)?;
    let resources =
        doc.get("Resources").and_then(Value::as_mapping).ok_or_else(|| DeclaredError::Shape("no Resources".into()))?;
    let mut functions = Vec::new();
    for (id, resource) in resources {
        if resource.get("Type").and_then(Value::as_str) != Some("AWS::Serverless::Function") {
            continue;
        }
        let id = id.as_str().unwrap_or("?");
        let literal = |value: Option<&Value>, what: &str| {
            value.and_then(Value::as_str).map(str::to_owned).ok_or_else(|| {
                DeclaredError::Shape(format!("{id}: no literal {what} (the dev gateway's build reads it)"))
            })
        };
        let binary = literal(
            resource.get("Metadata").and_then(|m| m.get("BuildProperties")).and_then(|b| b.get("Binary")),
            "Metadata.BuildProperties.Binary",
        )?;
        let properties = resource.get("Properties");
        let code_uri = literal(properties.and_then(|p| p.get("CodeUri")), "Properties.CodeUri")?;
        let http = properties
            .and_then(|p| p.get("Events"))
            .and_then(Value::as_mapping)
            .into_iter()
            .flatten()
            .any(|(_, event)| event.get("Type").and_then(Value::as_str) == Some("HttpApi"));
        functions.push(DeclaredFunction { logical_id: id.to_owned(), binary, code_uri, http });
    }
    Ok(functions)
}

/// Where the dev gateway's Cargo.toml points at function crates.
pub const CRATE_PATH_PREFIX: &str = "../../functions/";

/// The function crates a Cargo.toml (the dev gateway's) depends on by path:
/// (dependency name, directory under `functions/`), one per `name = { path = ... }` line.
pub fn linked_crates(manifest: &str) -> Vec<(String, String)> {
    manifest
        .lines()
        .filter_map(|line| {
            let (name, rest) = line.split_once('=')?;
            let dir = rest.split_once(CRATE_PATH_PREFIX)?.1.split('"').next()?;
            Some((name.trim().to_owned(), dir.to_owned()))
        })
        .collect()
}
