//! The layer rule, read from the source (no stack needed): function crates use the
//! surface meant for them (`app`, `domain`, `http`, `runtime`, `stream`, ...), never the
//! adapters, the ports or the wiring; the domain depends on nothing outside itself; the
//! use cases see ports, not adapters or SDKs. Every crate under `functions/` is checked,
//! found by listing the directory, so a new function is held to the rule from its first
//! commit.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

/// What function crates may not name.
const FUNCTIONS_MAY_NOT: &[&str] = &["shared::adapters", "shared::ports", "shared::startup", "aws_sdk_"];
/// What the domain may not name.
const DOMAIN_MAY_NOT: &[&str] = &["aws_", "crate::adapters", "crate::app", "crate::startup"];
/// What the use cases may not name.
const APP_MAY_NOT: &[&str] = &["crate::adapters", "crate::startup", "aws_sdk", "aws_config"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every `.rs` file under `dir`, recursively, in a stable order.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() && path.file_name().is_some_and(|name| name != "target") {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    files
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Path,
    Open,
    Close,
    Comma,
    Semi,
    Star,
    Other,
}

/// The tokens of `source` with the line each is on; comments and string literals are
/// left out, so prose that mentions a module does not count.
fn tokens(source: &str) -> Vec<(usize, Token)> {
    let chars: Vec<char> = source.chars().collect();
    let (mut out, mut line, mut i) = (Vec::new(), 1, 0);
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                line += usize::from(chars[i] == '\n');
                i += 1;
            }
            i += 2;
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                line += usize::from(chars[i] == '\n');
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push((line, Token::Ident(chars[start..i].iter().collect())));
        } else if c == ':' && next == Some(':') {
            out.push((line, Token::Path));
            i += 2;
        } else {
            let token = match c {
                '{' => Token::Open,
                '}' => Token::Close,
                ',' => Token::Comma,
                ';' => Token::Semi,
                '*' => Token::Star,
                _ if c.is_whitespace() => {
                    i += 1;
                    continue;
                }
                _ => Token::Other,
            };
            out.push((line, token));
            i += 1;
        }
    }
    out
}

/// Expands the `use` tree at `tokens[*at]` under `prefix` into its full paths.
fn use_tree(tokens: &[(usize, Token)], at: &mut usize, prefix: &str, paths: &mut Vec<(usize, String)>) {
    while let Some((_, Token::Path)) = tokens.get(*at) {
        *at += 1;
    }
    match tokens.get(*at) {
        Some((_, Token::Open)) => {
            *at += 1;
            while let Some((_, token)) = tokens.get(*at) {
                match token {
                    Token::Close => {
                        *at += 1;
                        return;
                    }
                    Token::Comma => *at += 1,
                    _ => use_tree(tokens, at, prefix, paths),
                }
            }
        }
        Some((line, Token::Star)) => {
            paths.push((*line, format!("{prefix}*")));
            *at += 1;
        }
        Some((line, Token::Ident(segment))) => {
            *at += 1;
            if let Some((_, Token::Path)) = tokens.get(*at) {
                *at += 1;
                use_tree(tokens, at, &format!("{prefix}{segment}::"), paths);
            } else {
                paths.push((*line, format!("{prefix}{segment}")));
                if let Some((_, Token::Ident(word))) = tokens.get(*at)
                    && word == "as"
                {
                    *at += 2;
                }
            }
        }
        _ => *at += 1,
    }
}

/// Every path `source` names, with its line: each leaf of a `use` tree in full, and each
/// path written out in code.
fn paths(source: &str) -> Vec<(usize, String)> {
    let tokens = tokens(source);
    let mut paths = Vec::new();
    let mut at = 0;
    while at < tokens.len() {
        match &tokens[at] {
            (_, Token::Ident(word)) if word == "use" => {
                at += 1;
                use_tree(&tokens, &mut at, "", &mut paths);
            }
            (line, Token::Ident(first)) => {
                let mut path = first.clone();
                at += 1;
                while let (Some((_, Token::Path)), Some((_, Token::Ident(next)))) = (tokens.get(at), tokens.get(at + 1))
                {
                    path = format!("{path}::{next}");
                    at += 2;
                }
                paths.push((*line, path));
            }
            _ => at += 1,
        }
    }
    paths
}

/// Whether `path` reaches into `rule`: a module path and what is under it, a crate-name
/// prefix such as `aws_sdk_`, or a glob that would bring the module in.
fn reaches(path: &str, rule: &str) -> bool {
    if let Some(glob) = path.strip_suffix('*') {
        return !glob.is_empty() && rule.starts_with(glob);
    }
    if rule.ends_with('_') || !rule.contains("::") {
        return path.starts_with(rule);
    }
    path == rule || path.starts_with(&format!("{rule}::"))
}

/// `file:line: path (rule)` for every path in `source` that a rule forbids.
fn violations(file: &str, source: &str, rules: &[&str]) -> Vec<String> {
    let mut found: Vec<String> = paths(source)
        .into_iter()
        .filter_map(|(line, path)| {
            rules
                .iter()
                .find(|rule| reaches(&path, rule))
                .map(|rule| format!("{file}:{line}: {path} (may not use {rule})"))
        })
        .collect();
    found.dedup();
    found
}

fn check(files: &[PathBuf], rules: &[&str]) -> Vec<String> {
    files
        .iter()
        .flat_map(|file| {
            let shown = file.strip_prefix(root()).unwrap_or(file).display().to_string();
            violations(&shown, &std::fs::read_to_string(file).unwrap(), rules)
        })
        .collect()
}

#[test]
fn function_crates_use_only_the_surface_meant_for_them() {
    let crates: Vec<PathBuf> = std::fs::read_dir(root().join("functions"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.join("Cargo.toml").is_file())
        .collect();
    assert!(crates.len() >= 17, "found only {} function crates", crates.len());
    let files: Vec<PathBuf> = crates.iter().flat_map(|dir| rust_files(dir)).collect();
    let found = check(&files, FUNCTIONS_MAY_NOT);
    assert!(found.is_empty(), "function crates reach past their surface:\n{}", found.join("\n"));
}

#[test]
fn the_domain_depends_on_nothing_outside_it() {
    let found = check(&rust_files(&root().join("shared/src/domain")), DOMAIN_MAY_NOT);
    assert!(found.is_empty(), "the domain reaches out:\n{}", found.join("\n"));
}

#[test]
fn the_use_cases_see_ports_not_adapters() {
    let found = check(&rust_files(&root().join("shared/src/app")), APP_MAY_NOT);
    assert!(found.is_empty(), "the use cases reach past the ports:\n{}", found.join("\n"));
}

#[test]
fn the_checker_finds_grouped_nested_and_written_out_paths() {
    let bad = r#"
use shared::{app::App, adapters::dynamo::{DynamoStore, key_of}};
use shared::{
    domain::UserId,
    ports::{self, Timeframe},
};
use shared::startup as wiring;
use shared::*;
use aws_sdk_dynamodb::Client;

fn handler() {
    let page = shared::ports::Timeframe::Past;
    let _ = shared :: adapters :: dynamo :: key_of;
}
"#;
    let found = violations("bad.rs", bad, FUNCTIONS_MAY_NOT);
    let mut lines: Vec<&str> = found.iter().map(|v| v.split(": ").next().unwrap()).collect();
    lines.dedup();
    assert_eq!(
        lines,
        ["bad.rs:2", "bad.rs:5", "bad.rs:7", "bad.rs:8", "bad.rs:9", "bad.rs:12", "bad.rs:13"],
        "{found:#?}"
    );
    assert!(found[0].contains("shared::adapters::dynamo::DynamoStore"));
}

#[test]
fn the_checker_passes_the_allowed_surface_and_prose() {
    let good = r#"
//! Uses `shared::adapters::dynamo` indirectly, through the app.
use shared::{App, app::AppError, domain::{Committed, UserId}};
use shared::stream::{StreamEvent, consume};
/* shared::ports::Timeframe is re-exported from app */
fn handler() -> &'static str {
    let _ = shared::app::Timeframe::Past;
    "shared::ports::Clock in a string"
}
"#;
    assert_eq!(violations("good.rs", good, FUNCTIONS_MAY_NOT), Vec::<String>::new());
    assert_eq!(violations("domain.rs", "use crate::app::App;\nuse super::Invalid;", DOMAIN_MAY_NOT).len(), 1);
    assert_eq!(violations("app.rs", "let c = aws_config::defaults();", APP_MAY_NOT).len(), 1);
}
