//! Checks that a worksheet's score bands fit the scores its scales can give.
//!
//! The rule is the one `worksheet-scoring.js` and the printed instructions
//! use: items are grouped by subscale (items without one form one group); a
//! reverse item counts as (lowest + highest value − answer); a group's score
//! is the sum of its items, or their mean rounded to two decimal places. Every
//! score a group can actually reach must fall in exactly one band, and every
//! band must hold at least one reachable score: otherwise a participant would
//! be shown no band, two bands, or a band that can never apply.

use std::collections::BTreeSet;

use crate::diag::{Diags, Loc};
use crate::model::{Block, BlockKind, ScoreMethod};

/// A band as written, with the place of its table for messages.
pub struct BandAt {
    pub min: f64,
    pub max: f64,
    pub label: String,
    pub loc: Loc,
}

/// Scores are kept as hundredths: the resolution they are shown and
/// compared at.
type Hundredths = i64;

fn hundredths(x: f64) -> Hundredths {
    let s = if x < 0.0 { -1.0 } else { 1.0 };
    (s * ((x.abs() + 1e-9) * 100.0).round()) as Hundredths
}

fn show(h: Hundredths) -> String {
    let x = h as f64 / 100.0;
    let mut s = format!("{x:.2}");
    while s.ends_with('0') {
        s.pop();
    }
    if s.ends_with('.') {
        s.pop();
    }
    s
}

/// How many distinct sums a group may have before the check walks the
/// score range in hundredths instead of listing exact scores.
const MAX_SUMS: usize = 200_000;

/// The scores (in hundredths) each group can reach, by group name in order
/// of first appearance.
fn reachable(blocks: &[Block], method: ScoreMethod) -> Vec<(String, BTreeSet<Hundredths>)> {
    // Each item's possible contributions, in hundredths.
    let mut groups: Vec<(String, Vec<Vec<Hundredths>>)> = Vec::new();
    for b in blocks {
        let BlockKind::Scale { values, items, .. } = &b.kind else {
            continue;
        };
        if values.is_empty() {
            continue;
        }
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        for it in items {
            let name = it.subscale.clone().unwrap_or_else(|| "overall".into());
            let vals: Vec<Hundredths> = values
                .iter()
                .map(|v| hundredths(if it.reverse { lo + hi - v } else { *v }))
                .collect();
            match groups.iter_mut().find(|(g, _)| *g == name) {
                Some((_, list)) => list.push(vals),
                None => groups.push((name, vec![vals])),
            }
        }
    }
    groups
        .into_iter()
        .map(|(name, items)| {
            let n = items.len() as i64;
            let mut sums: BTreeSet<Hundredths> = BTreeSet::from([0]);
            let mut exact = true;
            for vals in &items {
                let next: BTreeSet<Hundredths> = sums
                    .iter()
                    .flat_map(|s| vals.iter().map(move |v| s + v))
                    .collect();
                if next.len() > MAX_SUMS {
                    exact = false;
                    break;
                }
                sums = next;
            }
            if !exact {
                // Too many combinations to list: every hundredth between the
                // lowest and the highest sum counts as reachable.
                let lo: Hundredths = items.iter().filter_map(|v| v.iter().min()).sum();
                let hi: Hundredths = items.iter().filter_map(|v| v.iter().max()).sum();
                sums = (lo..=hi).collect();
            }
            let scores = match method {
                ScoreMethod::Sum => sums,
                ScoreMethod::Mean => sums
                    .into_iter()
                    .map(|s| hundredths(s as f64 / 100.0 / n as f64))
                    .collect(),
            };
            (name, scores)
        })
        .collect()
}

/// Reports gaps, overlaps and unreachable bands.
pub fn check(blocks: &[Block], method: ScoreMethod, bands: &[BandAt], d: &mut Diags) {
    if bands.is_empty() {
        return;
    }
    let bounds: Vec<(Hundredths, Hundredths)> = bands
        .iter()
        .map(|b| (hundredths(b.min), hundredths(b.max)))
        .collect();
    let groups = reachable(blocks, method);
    let mut used = vec![false; bands.len()];
    let mut overlaps_told: BTreeSet<(usize, usize)> = BTreeSet::new();
    for (group, scores) in &groups {
        let what = if groups.len() == 1 && group == "overall" {
            "the score".to_string()
        } else {
            format!("the `{group}` score")
        };
        // Runs of reachable scores that no band holds: (first, last).
        let mut gap: Option<(Hundredths, Hundredths)> = None;
        let mut gaps = Vec::new();
        for &s in scores {
            let holding: Vec<usize> = bounds
                .iter()
                .enumerate()
                .filter(|(_, (lo, hi))| *lo <= s && s <= *hi)
                .map(|(i, _)| i)
                .collect();
            for &i in &holding {
                used[i] = true;
            }
            if holding.is_empty() {
                gap = Some(gap.map_or((s, s), |(a, _)| (a, s)));
                continue;
            }
            if let Some(g) = gap.take() {
                gaps.push(g);
            }
            if let [a, b, ..] = holding[..]
                && overlaps_told.insert((a, b))
            {
                d.error(
                    "score-bands",
                    bands[b].loc.clone(),
                    format!(
                        "bands \"{}\" and \"{}\" overlap: {what} can be {}, which is in both",
                        bands[a].label,
                        bands[b].label,
                        show(s)
                    ),
                )
                .label("overlaps an earlier band")
                .help("each score must fall in exactly one band: make one band end before the next begins");
            }
        }
        if let Some(g) = gap {
            gaps.push(g);
        }
        let (Some(first), Some(last)) = (scores.first(), scores.last()) else {
            continue;
        };
        for (a, b) in gaps {
            let shown = if a == b {
                show(a)
            } else {
                format!("{} to {}", show(a), show(b))
            };
            // Point at the band just below the gap (or the first band).
            let below = bounds
                .iter()
                .enumerate()
                .filter(|(_, (_, hi))| *hi < a)
                .max_by_key(|(_, (_, hi))| *hi)
                .map_or(0, |(i, _)| i);
            d.error(
                "score-bands",
                bands[below].loc.clone(),
                format!("{what} can be {shown}, but no band holds it"),
            )
            .label("the bands leave a gap")
            .help(format!(
                "{what} runs from {} to {}; the bands must cover all of it with no gaps{}",
                show(*first),
                show(*last),
                if method == ScoreMethod::Mean {
                    " (mean scores are rounded to two decimal places)"
                } else {
                    ""
                }
            ));
        }
    }
    if groups.is_empty() {
        return;
    }
    for (i, b) in bands.iter().enumerate() {
        if !used[i] {
            d.error(
                "score-bands",
                b.loc.clone(),
                format!("no score can fall in band \"{}\"", b.label),
            )
            .label(format!("{} to {}", show(bounds[i].0), show(bounds[i].1)))
            .help("the scales' values cannot add up to a score in this range; change the band or remove it");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ScaleItem;

    fn scale(values: Vec<f64>, items: &[(&str, Option<&str>, bool)]) -> Block {
        Block {
            label: None,
            help: None,
            kind: BlockKind::Scale {
                anchors: values.iter().map(|v| v.to_string()).collect(),
                values,
                items: items
                    .iter()
                    .map(|(id, sub, rev)| ScaleItem {
                        id: id.to_string(),
                        text: id.to_string(),
                        subscale: sub.map(str::to_string),
                        reverse: *rev,
                        alert: None,
                    })
                    .collect(),
            },
        }
    }

    fn band(min: f64, max: f64, label: &str) -> BandAt {
        BandAt {
            min,
            max,
            label: label.into(),
            loc: Loc::new(0, 0..0),
        }
    }

    fn messages(blocks: &[Block], method: ScoreMethod, bands: &[BandAt]) -> Vec<String> {
        let mut d = Diags::default();
        check(blocks, method, bands, &mut d);
        d.list.iter().map(|x| x.message.clone()).collect()
    }

    fn five() -> Vec<f64> {
        vec![1.0, 2.0, 3.0, 4.0, 5.0]
    }

    #[test]
    fn bands_that_cover_mean_scores_in_hundredths_pass() {
        let b = [scale(
            five(),
            &[("a", None, false), ("b", None, true), ("c", None, false)],
        )];
        let bands = [
            band(1.0, 2.49, "low"),
            band(2.5, 3.74, "mid"),
            band(3.75, 5.0, "high"),
        ];
        assert_eq!(
            messages(&b, ScoreMethod::Mean, &bands),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_gap_between_bands_is_named_with_the_scores_in_it() {
        let b = [scale(five(), &[("a", None, false), ("b", None, false)])];
        let bands = [band(1.0, 2.49, "low"), band(2.6, 5.0, "high")];
        assert_eq!(
            messages(&b, ScoreMethod::Mean, &bands),
            ["the score can be 2.5, but no band holds it"]
        );
    }

    #[test]
    fn overlapping_and_unreachable_bands_are_errors() {
        let b = [scale(five(), &[("a", None, false)])];
        let bands = [
            band(1.0, 3.0, "low"),
            band(3.0, 5.0, "high"),
            band(6.0, 9.0, "never"),
        ];
        assert_eq!(
            messages(&b, ScoreMethod::Sum, &bands),
            [
                "bands \"low\" and \"high\" overlap: the score can be 3, which is in both",
                "no score can fall in band \"never\""
            ]
        );
    }

    #[test]
    fn each_subscale_must_be_covered() {
        let b = [scale(
            five(),
            &[
                ("a", Some("x"), false),
                ("b", Some("y"), false),
                ("c", Some("y"), false),
            ],
        )];
        // Sums: x runs 1..5, y runs 2..10.
        let bands = [band(1.0, 5.0, "some"), band(6.0, 8.0, "more")];
        assert_eq!(
            messages(&b, ScoreMethod::Sum, &bands),
            ["the `y` score can be 9 to 10, but no band holds it"]
        );
    }

    #[test]
    fn sums_of_integer_values_leave_no_gap_between_whole_numbers() {
        let b = [scale(five(), &[("a", None, false), ("b", None, false)])];
        let bands = [band(2.0, 5.0, "low"), band(6.0, 10.0, "high")];
        assert_eq!(messages(&b, ScoreMethod::Sum, &bands), Vec::<String>::new());
    }
}
