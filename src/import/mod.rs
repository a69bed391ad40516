//! `cairn import`: new cairn projects from lessons written for other tools.

pub mod workbench;
