//! protoguard: a Protobuf schema governance and breaking-change checker.
//!
//! The pipeline is `input → compile → schema → pair → rules → report`, one module per stage
//! (`breaking` pairs two revisions; `lint` judges one, [`load`] is the half both share):
//! [`input`] reads the `.proto` files of a revision into a [`input::Snapshot`], [`plan`] decides
//! which files a change can affect, [`compile`] turns a snapshot into descriptors with protox,
//! [`schema`] is the read-only view rules see, [`pairs`] matches the elements of two revisions,
//! [`rules`] (listed in [`registry`]) push [`finding::Finding`]s, and [`report`] renders them.
//! The library never prints; [`cli`] writes through the reporter to the writers it is given.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod atomic;
pub mod cache;
pub mod check;
pub mod cli;
pub mod compile;
pub mod config;
pub mod docs;
pub mod editions;
pub mod error;
pub mod filter;
pub mod finding;
pub mod fix;
pub mod headers;
pub mod history;
pub mod impact;
pub mod input;
pub mod lint;
pub mod load;
pub mod pairs;
pub mod plan;
pub mod registry;
pub mod report;
pub mod rules;
pub mod scan;
pub mod schema;

pub use error::Error;
