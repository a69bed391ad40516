//! Parse stage: front matter, TOML files and Markdown with directives.

pub mod items;
pub mod markdown;
pub mod toml_read;
