//! template.yaml is the one list of functions. A build script cannot add dependencies, so
//! the function crates the dev gateway links are still written in its Cargo.toml; these
//! checks hold that list, the crates under functions/ and the sample events under events/
//! to the template, in both directions, and say exactly what to add or remove.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use dev_gateway::template_functions::{CRATE_PATH_PREFIX, DeclaredFunction, declared_functions, linked_crates};

/// The `name` of a crate's `[package]`.
fn package_name(manifest: &str) -> Option<String> {
    let package = manifest.split("[package]").nth(1)?.split("\n[").next()?;
    package.lines().find_map(|line| {
        let (key, value) = line.split_once('=')?;
        (key.trim() == "name").then(|| value.trim().trim_matches('"').to_owned())
    })
}

fn subdirectories(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|entry| entry.path().is_dir())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .collect()
}

/// What a function's sample events lack: one sample at least, and an expected outcome for
/// each in `events/<function>/expected.yaml` (which `tests/contract.rs` checks them against).
fn sample_disagreements(root: &Path, id: &str, binary: &str) -> Vec<String> {
    let dir = root.join("events").join(binary);
    let samples: BTreeSet<String> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|entry| entry.path().extension().is_some_and(|e| e == "json"))
        .filter_map(|entry| entry.file_name().into_string().ok())
        .collect();
    if samples.is_empty() {
        return vec![format!(
            "{id}: add a sample event, events/{binary}/<name>.json (a genuine event of its trigger), \
             and its expected outcome in events/{binary}/expected.yaml"
        )];
    }
    let expected: serde_yaml::Mapping = std::fs::read_to_string(dir.join("expected.yaml"))
        .ok()
        .and_then(|text| serde_yaml::from_str(&text).ok())
        .unwrap_or_default();
    samples
        .iter()
        .filter(|sample| !expected.contains_key(sample.as_str()))
        .map(|sample| {
            format!(
                "events/{binary}/expected.yaml: add `{sample}: <HTTP status>` \
                 (or, for an event function, JSON pointers into its result and their values)"
            )
        })
        .collect()
}

/// Every way the repository at `root` disagrees with its template.yaml, as instructions.
fn disagreements(root: &Path) -> Vec<String> {
    let template = std::fs::read_to_string(root.join("template.yaml")).unwrap();
    let declared: Vec<DeclaredFunction> = declared_functions(&template).unwrap();
    let gateway_manifest = std::fs::read_to_string(root.join("infra/dev-gateway/Cargo.toml")).unwrap();
    let linked = linked_crates(&gateway_manifest);
    let mut problems = Vec::new();
    for function in &declared {
        let (id, binary, dir) = (&function.logical_id, &function.binary, function.crate_dir());
        if function.code_uri.trim_end_matches('/') != format!("functions/{dir}") {
            problems.push(format!("{id}: CodeUri {} must be functions/<crate>", function.code_uri));
        }
        // The bench builds `-p <Binary>` and the gateway names functions by Binary.
        if dir != binary {
            problems.push(format!(
                "{id}: Binary {binary:?} but CodeUri {}: crate, directory and Binary must share one name",
                function.code_uri
            ));
        }
        match std::fs::read_to_string(root.join("functions").join(dir).join("Cargo.toml")) {
            Err(_) => problems.push(format!(
                "{id}: functions/{dir}/Cargo.toml does not exist: create the crate there \
                 ([package] name = \"{binary}\", src/lib.rs with `handler`, src/main.rs)"
            )),
            Ok(manifest) => {
                if package_name(&manifest).as_deref() != Some(binary) {
                    problems
                        .push(format!("functions/{dir}/Cargo.toml: set [package] name = \"{binary}\" ({id}'s Binary)"));
                }
                // Each test harness is one more link of every SDK in `make test`.
                if manifest.matches("test = false").count() < 2 {
                    problems.push(format!(
                        "functions/{dir}/Cargo.toml: set `test = false` under [lib] and under [[bin]] \
                         (name = \"{binary}\", path = \"src/main.rs\"): functions are tested through the gateway"
                    ));
                }
            }
        }
        if !linked.iter().any(|(name, linked_dir)| name == binary && linked_dir == dir) {
            problems.push(format!(
                "{id}: add to [dependencies] in infra/dev-gateway/Cargo.toml: {binary} = {{ path = \"{CRATE_PATH_PREFIX}{dir}\" }}"
            ));
        }
        problems.extend(sample_disagreements(root, id, binary));
    }
    let declared_dirs: BTreeSet<&str> = declared.iter().map(DeclaredFunction::crate_dir).collect();
    for (name, dir) in &linked {
        if !declared_dirs.contains(dir.as_str()) {
            problems.push(format!(
                "infra/dev-gateway/Cargo.toml links functions/{dir}, which no template.yaml function has as CodeUri: \
                 remove `{name} = {{ path = \"{CRATE_PATH_PREFIX}{dir}\" }}` or declare the function"
            ));
        }
    }
    for dir in subdirectories(&root.join("functions")) {
        if !declared_dirs.contains(dir.as_str()) {
            problems.push(format!(
                "functions/{dir} is no template.yaml function's CodeUri: declare it (Type: AWS::Serverless::Function, \
                 CodeUri: functions/{dir}, Metadata.BuildProperties.Binary: {dir}) or delete the crate"
            ));
        }
    }
    let binaries: BTreeSet<&str> = declared.iter().map(|f| f.binary.as_str()).collect();
    for dir in subdirectories(&root.join("events")) {
        if !binaries.contains(dir.as_str()) {
            problems.push(format!(
                "events/{dir} belongs to no template.yaml function: rename it to its function's Binary or delete it"
            ));
        }
    }
    problems
}

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn the_repository_agrees_with_its_template() {
    let problems = disagreements(&repository());
    assert!(problems.is_empty(), "template.yaml is the list of functions:\n{}", problems.join("\n"));
}

#[test]
fn the_template_has_http_and_event_functions() {
    let template = std::fs::read_to_string(repository().join("template.yaml")).unwrap();
    let declared = declared_functions(&template).unwrap();
    let http: BTreeSet<&str> = declared.iter().filter(|f| f.http).map(|f| f.binary.as_str()).collect();
    assert!(http.contains("register") && http.contains("book"), "{http:?}");
    assert!(!http.contains("reminders") && !http.contains("ws-connect") && !http.contains("deliver"), "{http:?}");
    // The generated handler table links exactly these.
    let linked: BTreeSet<&str> = dev_gateway::handlers::functions().iter().map(|f| f.name).collect();
    assert_eq!(linked, http);
    let events: BTreeSet<&str> = dev_gateway::handlers::events().iter().map(|f| f.name).collect();
    let others: BTreeSet<&str> = declared.iter().filter(|f| !f.http).map(|f| f.binary.as_str()).collect();
    assert_eq!(events, others);
}

/// A function added to the template alone: each check names what is missing.
#[test]
fn a_function_only_in_the_template_is_named_with_what_to_add() {
    let scratch = std::env::temp_dir().join(format!("function-list-{}", ulid::Ulid::new()));
    let root = repository();
    std::fs::create_dir_all(scratch.join("infra/dev-gateway")).unwrap();
    let dummy = "
  DummyFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildProperties:
        Binary: dummy
    Properties:
      CodeUri: functions/dummy
      Events:
        Dummy:
          Type: HttpApi
          Properties:
            ApiId: !Ref HttpApi
            Path: /dummy
            Method: GET
";
    let template = std::fs::read_to_string(root.join("template.yaml")).unwrap();
    let resources = template.find("\nResources:\n").unwrap() + "\nResources:\n".len();
    let with_dummy = format!("{}{}{}", &template[..resources], dummy.trim_start_matches('\n'), &template[resources..]);
    std::fs::write(scratch.join("template.yaml"), with_dummy).unwrap();
    let gateway_manifest = std::fs::read_to_string(root.join("infra/dev-gateway/Cargo.toml")).unwrap();
    // One stale line too: a crate the template no longer declares.
    let stale = format!("{gateway_manifest}\n[dev-dependencies]\ngone = {{ path = \"{CRATE_PATH_PREFIX}gone\" }}\n");
    std::fs::write(scratch.join("infra/dev-gateway/Cargo.toml"), stale).unwrap();
    for dir in subdirectories(&root.join("functions")).into_iter().chain(["orphan".to_owned()]) {
        let crate_dir = scratch.join("functions").join(&dir);
        std::fs::create_dir_all(&crate_dir).unwrap();
        // Every crate but book opts out of its own test harnesses.
        let harnesses = if dir == "book" {
            String::new()
        } else {
            format!("\n[lib]\ntest = false\n\n[[bin]]\nname = \"{dir}\"\npath = \"src/main.rs\"\ntest = false\n")
        };
        std::fs::write(crate_dir.join("Cargo.toml"), format!("[package]\nname = \"{dir}\"\n{harnesses}")).unwrap();
    }
    for dir in subdirectories(&root.join("events")) {
        std::fs::create_dir_all(scratch.join("events").join(&dir)).unwrap();
        for file in std::fs::read_dir(root.join("events").join(&dir)).unwrap() {
            let file = file.unwrap();
            std::fs::copy(file.path(), scratch.join("events").join(&dir).join(file.file_name())).unwrap();
        }
    }
    // A sample without an expected outcome.
    std::fs::write(scratch.join("events/register/again.json"), "{}").unwrap();
    let problems = disagreements(&scratch);
    std::fs::remove_dir_all(&scratch).unwrap();
    let expected = [
        "DummyFunction: functions/dummy/Cargo.toml does not exist: create the crate there \
         ([package] name = \"dummy\", src/lib.rs with `handler`, src/main.rs)",
        "DummyFunction: add to [dependencies] in infra/dev-gateway/Cargo.toml: dummy = { path = \"../../functions/dummy\" }",
        "DummyFunction: add a sample event, events/dummy/<name>.json (a genuine event of its trigger), \
         and its expected outcome in events/dummy/expected.yaml",
        "events/register/expected.yaml: add `again.json: <HTTP status>` \
         (or, for an event function, JSON pointers into its result and their values)",
        "functions/book/Cargo.toml: set `test = false` under [lib] and under [[bin]] \
         (name = \"book\", path = \"src/main.rs\"): functions are tested through the gateway",
        "infra/dev-gateway/Cargo.toml links functions/gone, which no template.yaml function has as CodeUri: \
         remove `gone = { path = \"../../functions/gone\" }` or declare the function",
        "functions/orphan is no template.yaml function's CodeUri: declare it (Type: AWS::Serverless::Function, \
         CodeUri: functions/orphan, Metadata.BuildProperties.Binary: orphan) or delete the crate",
    ];
    assert_eq!(problems, expected, "{problems:#?}");
}

#[test]
fn reads_functions_whatever_other_resources_and_tags_the_template_has() {
    let declared = declared_functions(
        r#"
Parameters:
  Threshold: {Type: Number, Default: 1}
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Alarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmActions: [!Ref Queue]
      Dimensions: [{Name: FunctionName, Value: !Ref ChatFunction}]
      Threshold: !Ref Threshold
  ChatFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildProperties:
        Binary: chat-job
    Properties:
      CodeUri: functions/chat-job
      DeadLetterQueue: {Type: SQS, TargetArn: !GetAtt Queue.Arn}
      Environment: {Variables: {URL: !Sub 'https://${AWS::Region}'}}
      Events:
        Nightly: {Type: Schedule, Properties: {Schedule: rate(1 day)}}
  ApiFunction:
    Type: AWS::Serverless::Function
    Metadata: {BuildProperties: {Binary: api}}
    Properties:
      CodeUri: functions/api/
      Events:
        Get: {Type: HttpApi, Properties: {ApiId: !Ref HttpApi, Path: /x, Method: GET}}
"#,
    )
    .unwrap();
    let summary: Vec<(&str, &str, String, bool)> =
        declared.iter().map(|f| (f.logical_id.as_str(), f.binary.as_str(), f.crate_ident(), f.http)).collect();
    assert_eq!(
        summary,
        [("ChatFunction", "chat-job", "chat_job".to_owned(), false), ("ApiFunction", "api", "api".to_owned(), true)]
    );
    let without_binary =
        "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: {CodeUri: functions/f}\n";
    let error = declared_functions(without_binary).unwrap_err().to_string();
    assert!(error.contains("F: no literal Metadata.BuildProperties.Binary"), "{error}");
}

/// The runtime entry points that wire a client beyond the table, and the variables of the
/// template that need them: a binary links a client only through its entry point (so the
/// other binaries stay small), and a variable read by no wiring would be silently ignored.
const WIRINGS: &[(&[&str], &[&str])] = &[
    (&["serve_with_files", "serve_with_links"], &["UPLOADS_BUCKET"]),
    (&["serve_mailing"], &["MAIL_SENDER", "PHONE_COUNTRIES"]),
    (&["serve_paying", "serve_paying_events"], &["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"]),
    (&["serve_pushing", "serve_pushing_events"], &["CONNECTIONS_ENDPOINT", "NOTIFICATIONS_TOPIC_ARN"]),
];

/// What is wrong with `binary`'s wiring: the entry point its `main.rs` calls against the
/// variables the template gives it.
fn wiring_disagreements(binary: &str, main: &str, variables: &BTreeSet<String>) -> Vec<String> {
    let Some(entry) = main.split("shared::runtime::").nth(1).and_then(|rest| rest.split('(').next()) else {
        return vec![format!("{binary}: main.rs calls no shared::runtime entry point")];
    };
    let mut problems = Vec::new();
    for (entries, needs) in WIRINGS {
        let needed: Vec<&str> = needs.iter().copied().filter(|name| variables.contains(*name)).collect();
        let wired = entries.contains(&entry);
        if !needed.is_empty() && !wired {
            problems.push(format!("{binary}: has {needed:?} but calls {entry}, not one of {entries:?}"));
        }
        if wired && needed.is_empty() {
            problems.push(format!("{binary}: calls {entry} but has none of {needs:?}"));
        }
    }
    problems
}

#[test]
fn each_function_is_wired_with_the_clients_its_variables_name() {
    let root = repository();
    let template = dev_gateway::template::Template::load(&root.join("template.yaml")).unwrap();
    let mut problems = Vec::new();
    for (binary, variables) in &template.environment {
        let main = std::fs::read_to_string(root.join("functions").join(binary).join("src/main.rs")).unwrap();
        problems.extend(wiring_disagreements(binary, &main, variables));
    }
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(template.environment["deliver"].contains("NOTIFICATIONS_TOPIC_ARN"));
}

#[test]
fn a_variable_without_its_wiring_and_a_wiring_without_its_variable_are_named() {
    let variables = |names: &[&str]| names.iter().map(|name| (*name).to_owned()).collect::<BTreeSet<_>>();
    let plain = "fn main() { shared::runtime::serve(Keys::CHECK, f::handler) }";
    assert_eq!(
        wiring_disagreements("f", plain, &variables(&["CONNECTIONS_ENDPOINT"])),
        ["f: has [\"CONNECTIONS_ENDPOINT\"] but calls serve, not one of [\"serve_pushing\", \"serve_pushing_events\"]"]
    );
    let links = "fn main() { shared::runtime::serve_with_links(Keys::CHECK, f::handler) }";
    assert_eq!(
        wiring_disagreements("f", links, &variables(&[])),
        ["f: calls serve_with_links but has none of [\"UPLOADS_BUCKET\"]"]
    );
    assert!(wiring_disagreements("f", links, &variables(&["UPLOADS_BUCKET", "JWT_ISSUER"])).is_empty());
    assert_eq!(wiring_disagreements("f", "fn main() {}", &variables(&[])).len(), 1);
}
