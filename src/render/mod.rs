//! Render stage: the resolved model, by audience, into HTML and PDF.

pub mod html_doc;
pub mod look_error;
pub mod paths;
pub mod pdf;
pub mod search;
pub mod site;
pub mod worksheet_html;
