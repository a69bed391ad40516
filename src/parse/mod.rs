//! Parse stage: front matter, TOML files and Markdown with directives.

pub mod items;
pub mod markdown;
pub mod scoring;
pub mod toml_read;
