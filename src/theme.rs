//! The look: templates (Tera), static files and print templates (Typst).
//! The default look is built into the binary; a project's `themes/NAME/`
//! folder overrides it file by file.

use std::collections::BTreeMap;
use std::path::Path;

use walkdir::WalkDir;

include!(concat!(env!("OUT_DIR"), "/builtin_theme.rs"));

/// One file of the look.
#[derive(Debug, Clone)]
pub struct ThemeFile {
    pub bytes: Vec<u8>,
    /// Where it came from, for messages: `themes/NAME/…`, or
    /// `themes/default/…` for the built-in look's files.
    pub origin: String,
}

#[derive(Debug, Clone, Default)]
pub struct Theme {
    pub files: BTreeMap<String, ThemeFile>,
}

impl Theme {
    /// The built-in look with the project's overrides laid over it.
    pub fn load(root: &Path, name: &str) -> std::io::Result<Theme> {
        let mut files = BTreeMap::new();
        for (path, bytes) in BUILTIN {
            files.insert(
                (*path).to_string(),
                ThemeFile {
                    bytes: bytes.to_vec(),
                    origin: format!("themes/default/{path}"),
                },
            );
        }
        let dir = root.join("themes").join(name);
        if dir.is_dir() {
            for entry in WalkDir::new(&dir).follow_links(false).sort_by_file_name() {
                let entry = entry.map_err(std::io::Error::other)?;
                if !entry.file_type().is_file() {
                    continue;
                }
                let Ok(rel) = entry.path().strip_prefix(&dir) else {
                    continue;
                };
                let rel = rel.to_string_lossy().replace('\\', "/");
                let bytes = std::fs::read(entry.path())?;
                files.insert(
                    rel.clone(),
                    ThemeFile {
                        bytes,
                        origin: format!("themes/{name}/{rel}"),
                    },
                );
            }
        } else if name != "default" {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("theme `{name}` not found: there is no folder themes/{name}/"),
            ));
        }
        Ok(Theme { files })
    }

    pub fn get(&self, path: &str) -> Option<&ThemeFile> {
        self.files.get(path)
    }

    /// Files under a folder of the theme, e.g. `static/`.
    pub fn under<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a ThemeFile)> + 'a {
        self.files
            .iter()
            .filter(move |(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.as_str(), v))
    }
}
