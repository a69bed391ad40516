//! PDFs open with the bookmarks panel: `/PageMode /UseOutlines` in the
//! document catalog. typst-pdf 0.15 has no option for it, so it is added to
//! the finished file: the catalog gets the key and the cross-reference
//! table its new offsets. Anything not laid out as expected (no classic
//! `xref` table, no catalog, no bookmarks) leaves the file as it was.

const KEY: &[u8] = b"/PageMode/UseOutlines";

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn number_at(b: &[u8], at: usize) -> Option<(usize, usize)> {
    let digits = b
        .get(at..)?
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    let n = std::str::from_utf8(b.get(at..at + digits)?)
        .ok()?
        .parse()
        .ok()?;
    Some((n, at + digits))
}

/// The PDF with `/PageMode /UseOutlines` in its catalog, or unchanged.
pub fn use_outlines(pdf: Vec<u8>) -> Vec<u8> {
    add_key(&pdf).unwrap_or(pdf)
}

fn add_key(b: &[u8]) -> Option<Vec<u8>> {
    // The trailer names the catalog; startxref points at the xref table.
    let trailer = rfind(b, b"trailer")?;
    let root = find(b, b"/Root ", trailer)? + 6;
    let (root_id, _) = number_at(b, root)?;
    let sx = rfind(b, b"startxref")?;
    let (xref_at, _) = number_at(b, find(b, b"\n", sx)? + 1)?;
    if b.get(xref_at..xref_at + 4)? != b"xref" {
        return None;
    }
    // The catalog object, and the place after its `/Type/Catalog`.
    let head = format!("\n{root_id} 0 obj\n");
    let obj = find(b, head.as_bytes(), 0)? + 1;
    let end = find(b, b"endobj", obj)?;
    let cat = find(b, b"/Type/Catalog", obj).filter(|&i| i < end)? + b"/Type/Catalog".len();
    let body = b.get(obj..end)?;
    if find(body, b"/PageMode", 0).is_some() || find(body, b"/Outlines", 0).is_none() {
        return None;
    }
    let delta = KEY.len();
    let mut out = Vec::with_capacity(b.len() + delta + 16);
    out.extend_from_slice(b.get(..cat)?);
    out.extend_from_slice(KEY);
    out.extend_from_slice(b.get(cat..xref_at)?);
    // The xref table: every subsection's 20-byte entries, offsets past the
    // insertion moved by `delta`.
    let mut at = xref_at + 4;
    while b.get(at).is_some_and(|c| c.is_ascii_whitespace()) {
        at += 1;
    }
    out.extend_from_slice(b"xref");
    out.extend_from_slice(b.get(xref_at + 4..at)?);
    while let Some((_, after_first)) = number_at(b, at) {
        let (count, after_count) = number_at(b, after_first + 1)?;
        let mut line_end = after_count;
        while b
            .get(line_end)
            .is_some_and(|c| *c == b'\r' || *c == b'\n' || *c == b' ')
        {
            line_end += 1;
        }
        out.extend_from_slice(b.get(at..line_end)?);
        at = line_end;
        for _ in 0..count {
            let entry = b.get(at..at + 20)?;
            let (off, _) = number_at(entry, 0)?;
            if entry.get(17) == Some(&b'n') && off > cat {
                out.extend_from_slice(format!("{:010}", off + delta).as_bytes());
                out.extend_from_slice(entry.get(10..)?);
            } else {
                out.extend_from_slice(entry);
            }
            at += 20;
        }
    }
    // The trailer, and startxref moved too.
    out.extend_from_slice(b.get(at..sx)?);
    out.extend_from_slice(format!("startxref\n{}\n%%EOF\n", xref_at + delta).as_bytes());
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small PDF laid out as typst-pdf writes one: objects, the catalog
    /// last, a classic xref table.
    fn sample(outlines: bool) -> Vec<u8> {
        let mut b = b"%PDF-1.7\n".to_vec();
        let mut offs = Vec::new();
        let objs = [
            "<</Type/Pages/Kids[]/Count 0>>".to_string(),
            "<</Type/Outlines/Count 0>>".to_string(),
            format!(
                "<</Type/Catalog/Pages 1 0 R{}>>",
                if outlines { "/Outlines 2 0 R" } else { "" }
            ),
        ];
        for (i, o) in objs.iter().enumerate() {
            offs.push(b.len());
            b.extend(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
        }
        let xref = b.len();
        b.extend(format!("xref\n0 {}\n0000000000 65535 f\r\n", objs.len() + 1).as_bytes());
        for o in &offs {
            b.extend(format!("{o:010} 00000 n\r\n").as_bytes());
        }
        b.extend(
            format!(
                "trailer\n<</Size {}/Root 3 0 R>>\nstartxref\n{xref}\n%%EOF\n",
                objs.len() + 1
            )
            .as_bytes(),
        );
        b
    }

    #[test]
    fn adds_the_page_mode_and_keeps_offsets_true() {
        let out = use_outlines(sample(true));
        let text = String::from_utf8_lossy(&out);
        assert!(text.contains("<</Type/Catalog/PageMode/UseOutlines/Pages 1 0 R"));
        // Every xref entry still points at its object.
        let xref = text.rfind("xref\n").unwrap_or(0);
        for (i, line) in text[xref..].lines().skip(3).take(3).enumerate() {
            let off: usize = line[..10].parse().unwrap_or(0);
            assert!(
                text[off..].starts_with(&format!("{} 0 obj", i + 1)),
                "{line}"
            );
        }
        let sx: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|s| s.lines().next())
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        assert!(text[sx..].starts_with("xref"));
    }

    #[test]
    fn leaves_other_files_alone() {
        let plain = sample(false);
        assert_eq!(use_outlines(plain.clone()), plain);
        assert_eq!(use_outlines(b"not a pdf".to_vec()), b"not a pdf".to_vec());
        let once = use_outlines(sample(true));
        assert_eq!(use_outlines(once.clone()), once);
    }
}
