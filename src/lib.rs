//! cairn: builds a supportive group program into an accessible website and
//! printable PDF workbooks. See ARCHITECTURE.md for the map.

mod alloc;
pub mod checks;
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
pub mod serve;
pub mod starter;
pub mod strings;
pub mod theme;
pub mod uses;
