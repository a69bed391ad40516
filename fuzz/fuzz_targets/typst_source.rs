//! The Typst source generator, through the whole check: the input replaces
//! files of a small valid program (tests/fixtures/base), split at lines
//! `%%%` into a session, an exercise, a worksheet and the prompts (a part
//! left out keeps the base's file). When the program has no errors, the main
//! Typst file of every print edition is generated and parsed with Typst's
//! own parser. Asserts no panic, that each generated file parses without
//! error, and that author text only ever lands inside string literals: the
//! marker `QZXMARK` (in the seeds and the dictionary) may only be found
//! inside `Str` nodes.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use cairn::render::pdf::sources;
use cairn_fuzz::check_diags;
use libfuzzer_sys::fuzz_target;
use typst_syntax::{SyntaxKind, SyntaxNode};

const MARKER: &str = "QZXMARK";

/// The files the input replaces, in the order of its parts.
const PARTS: &[&str] = &[
    "content/sessions/01-a.md",
    "content/exercises/breathe.md",
    "content/worksheets/plan.toml",
    "content/prompts/prompts.toml",
];

struct Project {
    _dir: tempfile::TempDir,
    root: PathBuf,
    base: Vec<Vec<u8>>,
}

fn project() -> &'static Project {
    static P: OnceLock<Project> = OnceLock::new();
    P.get_or_init(|| {
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/base");
        let dir = tempfile::Builder::new()
            .prefix("cairn-fuzz-")
            .tempdir()
            .expect("a scratch folder");
        copy_tree(&from, dir.path());
        let root = dir.path().to_path_buf();
        let base = PARTS
            .iter()
            .map(|p| std::fs::read(root.join(p)).expect("base fixture file"))
            .collect();
        Project {
            _dir: dir,
            root,
            base,
        }
    })
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read fixture") {
        let e = e.expect("fixture entry");
        let dest = to.join(e.file_name());
        if e.file_type().expect("file type").is_dir() {
            copy_tree(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).expect("copy");
        }
    }
}

/// How often the marker occurs in string literals.
fn marker_in_strings(root: &SyntaxNode) -> usize {
    let mut n = 0;
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if node.kind() == SyntaxKind::Str {
            n += node.leaf_text().matches(MARKER).count();
        }
        stack.extend(node.children());
    }
    n
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let p = project();
    let mut parts = text.split("\n%%%\n");
    for (i, rel) in PARTS.iter().enumerate() {
        let bytes = parts.next().map_or(&p.base[i][..], str::as_bytes);
        std::fs::write(p.root.join(rel), bytes).expect("write a content file");
    }
    let checked = cairn::pipeline::check_cached(&p.root, None).expect("check");
    check_diags(&checked.diags, &checked.sources);
    // Like `build` and `serve`, render only a program without errors.
    let Some(program) = checked.program.as_ref().filter(|_| checked.errors() == 0) else {
        return;
    };
    for (_, name, src) in sources(program) {
        let root = typst_syntax::parse(&src);
        let (errors, _) = root.errors_and_warnings();
        if let Some(e) = errors.first() {
            panic!(
                "{name}: the generated source does not parse: {}\n{src}",
                e.message
            );
        }
        let all = src.matches(MARKER).count();
        let in_strings = marker_in_strings(&root);
        assert_eq!(
            all, in_strings,
            "{name}: author text outside string literals ({all} markers, {in_strings} in strings)\n{src}"
        );
    }
});
