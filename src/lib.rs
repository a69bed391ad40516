//! cairn: builds a supportive group program into an accessible website and
//! printable PDF workbooks. See ARCHITECTURE.md for the map.

pub mod alloc;
pub mod checks;
// The command line and `serve` make PDFs: they need the `pdf` feature
// (render/pdf/mod.rs); only the fuzz targets build without it.
#[cfg(feature = "pdf")]
pub mod cli;
pub mod config;
pub mod deps;
pub mod diag;
pub mod import;
pub mod langs;
pub mod load;
pub mod model;
pub mod output;
pub mod parse;
pub mod pipeline;
pub mod print_plan;
pub mod render;
pub mod resolve;
pub mod reuse;
#[cfg(feature = "pdf")]
pub mod serve;
pub mod starter;
pub mod strings;
pub mod theme;
pub mod uses;
