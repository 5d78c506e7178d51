//! The state machine drawn as a graph: one row per state (in the order `model::graph`
//! gives, nested states indented under their Parallel or Map), and each transition
//! (Next, Choice branches, Default, Catch) drawn as an arc in the gutter on the left,
//! with `▶` where it arrives. Arcs that go up are loops.

use crate::model::GraphLine;
use std::collections::HashMap;

/// Most arcs side by side; transitions beyond them are written out as `→ Name`.
pub const MAX_LANES: usize = 8;

/// A row's gutter and what could not be drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub gutter: String,
    /// Successors whose arcs did not fit.
    pub undrawn: Vec<String>,
}

#[derive(Default, Clone, Copy)]
struct Cell {
    up: bool,
    down: bool,
    right: bool,
}

/// The gutters of `lines`, each `lanes * 1 + 1` characters wide (the last is the arrow).
pub fn gutters(lines: &[GraphLine]) -> Vec<Row> {
    // Successors are names within the same machine: the nearest line with that name at
    // the same depth, after the parent's start.
    let mut index: HashMap<(usize, &str), Vec<usize>> = HashMap::new();
    for (i, l) in lines.iter().enumerate() {
        index.entry((l.depth, l.name.as_str())).or_default().push(i);
    }
    let mut edges: Vec<(usize, usize)> = Vec::new();
    let mut undrawn: Vec<Vec<String>> = vec![Vec::new(); lines.len()];
    for (i, l) in lines.iter().enumerate() {
        for n in &l.next {
            let target = index
                .get(&(l.depth, n.as_str()))
                .and_then(|c| c.iter().min_by_key(|j| (**j as isize - i as isize).unsigned_abs()).copied());
            match target {
                Some(j) if j != i => edges.push((i, j)),
                _ => undrawn[i].push(n.clone()),
            }
        }
    }
    // Short arcs nearest the states, then greedy lanes: arcs in one lane do not overlap
    // except where one ends and the next begins.
    edges.sort_by_key(|(a, b)| (a.abs_diff(*b), *a.min(b)));
    let mut lanes: Vec<Vec<(usize, usize)>> = Vec::new();
    let mut placed: Vec<(usize, usize, usize)> = Vec::new();
    for (a, b) in edges {
        let (lo, hi) = (a.min(b), a.max(b));
        let lane = lanes.iter().position(|spans| spans.iter().all(|(l, h)| hi <= *l || lo >= *h));
        let lane = match lane {
            Some(k) => k,
            None if lanes.len() < MAX_LANES => {
                lanes.push(Vec::new());
                lanes.len() - 1
            }
            None => {
                undrawn[a].push(lines[b].name.clone());
                continue;
            }
        };
        lanes[lane].push((lo, hi));
        placed.push((lane, a, b));
    }
    let width = lanes.len();
    let mut cells = vec![vec![Cell::default(); width]; lines.len()];
    let mut arrives = vec![false; lines.len()];
    for (lane, a, b) in &placed {
        let (lo, hi) = ((*a).min(*b), (*a).max(*b));
        for (r, row) in cells.iter_mut().enumerate().take(hi + 1).skip(lo) {
            let c = &mut row[*lane];
            c.up |= r > lo;
            c.down |= r < hi;
            c.right |= r == lo || r == hi;
        }
        arrives[*b] = true;
    }
    cells
        .iter()
        .enumerate()
        .map(|(r, row)| {
            // Lane 0 is nearest the state: drawn right to left.
            let mut g = String::with_capacity(width * 3 + 3);
            let mut horizontal = false;
            for k in (0..width).rev() {
                let c = row[k];
                horizontal |= c.right;
                g.push(match (c.up, c.down, c.right) {
                    (false, true, true) => '╭',
                    (true, false, true) => '╰',
                    (true, true, true) => '├',
                    (true, true, false) if horizontal => '┼',
                    (true, true, false) => '│',
                    (false, false, _) if horizontal => '─',
                    _ => ' ',
                });
            }
            g.push(if arrives[r] {
                '▶'
            } else if horizontal {
                '─'
            } else {
                ' '
            });
            Row { gutter: g, undrawn: std::mem::take(&mut undrawn[r]) }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(depth: usize, name: &str, next: &[&str]) -> GraphLine {
        GraphLine { depth, name: name.into(), kind: "Task".into(), next: next.iter().map(|s| s.to_string()).collect() }
    }

    #[test]
    fn transitions_are_arcs_and_loops_go_up() {
        let g = gutters(&[
            line(0, "Check", &["Charge", "Reject"]),
            line(0, "Charge", &["Ship", "Check"]),
            line(0, "Ship", &[]),
            line(0, "Reject", &[]),
        ]);
        let drawn: Vec<&str> = g.iter().map(|r| r.gutter.as_str()).collect();
        // Check→Charge and Charge→Ship share the inner lane; Charge→Check is a loop back up
        // (Check receives it); Check→Reject is the long outer arc.
        assert_eq!(drawn, ["╭╭╭▶", "│╰├▶", "│ ╰▶", "╰──▶"]);
        assert!(g.iter().all(|r| r.undrawn.is_empty()));
    }

    #[test]
    fn arcs_beyond_the_lanes_are_written_out() {
        let many: Vec<String> = (0..12).map(|i| format!("S{i}")).collect();
        let names: Vec<&str> = many.iter().map(String::as_str).collect();
        let mut lines = vec![line(0, "Fan", &names)];
        lines.extend(many.iter().map(|n| line(0, n, &[])));
        let g = gutters(&lines);
        assert_eq!(g[0].undrawn.len(), 12 - MAX_LANES);
        assert_eq!(g[0].gutter.chars().count(), MAX_LANES + 1);
    }
}
