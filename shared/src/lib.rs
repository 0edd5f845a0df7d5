//! Peerlearn's library crate.
//!
//! Layers, inside out: [`domain`] (pure types and rules), [`ports`] (the small traits the
//! use cases need, by area), [`app`] (use cases), [`adapters`] (DynamoDB, SNS, API
//! Gateway), [`auth`] (password hashing and tokens) and [`http`] (request parsing and
//! `application/problem+json`). [`startup`] wires them once per cold start; [`stream`]
//! turns stream records into domain changes. Function crates stay thin: parse,
//! authorize, call [`app`], map the result; they never name adapters, ports or startup
//! (tests/layers.rs).

pub mod adapters;
pub mod api;
pub mod app;
pub mod auth;
pub mod config;
pub mod domain;
mod hex;
pub mod http;
pub mod observability;
mod percent;
pub mod ports;
pub mod runtime;
pub mod startup;
pub mod stream;

pub use startup::App;
