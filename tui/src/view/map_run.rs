//! The Map Run view: where the run stands (its items and children by status, as a bar),
//! its limits, and its children, the failed ones at a key.

use super::style::{clock, duration, status_style, BOLD, SELECTED};
use crate::state::{short, App};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, TableState};
use ratatui::Frame;
use serde_json::Value;

/// The statuses a Map Run counts, with their colours, in the order the bar draws them.
const PARTS: [(&str, &str, Color); 6] = [
    ("succeeded", "succeeded", Color::Green),
    ("failed", "failed", Color::Red),
    ("timedOut", "timed out", Color::Red),
    ("aborted", "aborted", Color::Yellow),
    ("running", "running", Color::Cyan),
    ("pending", "pending", Color::DarkGray),
];

/// `counts` as a bar `width` wide, each status its share of the total.
fn bar(counts: &Value, width: usize) -> Line<'static> {
    let total = counts["total"].as_u64().unwrap_or(0).max(1) as f64;
    let mut spans = Vec::new();
    let mut used = 0;
    for (key, _, colour) in PARTS {
        let n = counts[key].as_u64().unwrap_or(0);
        let w = ((n as f64 / total) * width as f64).round() as usize;
        let w = w.min(width - used);
        if w > 0 {
            spans.push(Span::styled("█".repeat(w), Style::new().fg(colour)));
            used += w;
        }
    }
    if used < width {
        spans.push(Span::styled("░".repeat(width - used), Style::new().fg(Color::DarkGray)));
    }
    Line::from(spans)
}

/// `counts` in words: `12 succeeded  1 failed ... of 20`.
fn words(counts: &Value) -> Line<'static> {
    let mut spans = Vec::new();
    for (key, label, colour) in PARTS {
        let n = counts[key].as_u64().unwrap_or(0);
        if n > 0 || key == "succeeded" || key == "failed" {
            spans.push(Span::styled(format!("{n} {label}"), Style::new().fg(colour)));
            spans.push(Span::raw("  "));
        }
    }
    spans.push(Span::raw(format!("of {}", counts["total"].as_u64().unwrap_or(0))));
    Line::from(spans)
}

pub fn map_run(f: &mut Frame, area: Rect, app: &App) {
    let Some(v) = &app.map_run else { return };
    let [head, list] = Layout::vertical([Constraint::Length(9), Constraint::Min(3)]).areas(area);
    let r = &v.run;
    let status = r["status"].as_str().unwrap_or("?");
    let start = r["startDate"].as_f64().unwrap_or(0.0);
    let took = r["stopDate"].as_f64().unwrap_or(app.now) - start;
    let width = (head.width as usize).saturating_sub(14).max(10);
    let labelled = |label: &'static str, rest: Line<'static>| {
        let mut spans = vec![Span::styled(label, BOLD)];
        spans.extend(rest.spans);
        Line::from(spans)
    };
    let limit = match r["maxConcurrency"].as_u64() {
        Some(0) | None => "unlimited".to_string(),
        Some(n) => n.to_string(),
    };
    let lines = vec![
        Line::from(vec![
            Span::styled(status.to_string(), status_style(status)),
            Span::raw(format!("   started {}   {}", clock(start, app.now), duration(took.max(0.0)))),
            Span::raw(format!("   redriven {}", r["redriveCount"].as_u64().unwrap_or(0))),
        ]),
        Line::from(format!("execution  {}", short(r["executionArn"].as_str().unwrap_or("")))),
        labelled("items      ", words(&r["itemCounts"])),
        labelled("           ", bar(&r["itemCounts"], width)),
        labelled("children   ", words(&r["executionCounts"])),
        Line::from(format!(
            "limits     max concurrency {limit}   tolerated failures {} or {}%",
            r["toleratedFailureCount"].as_u64().unwrap_or(0),
            r["toleratedFailurePercentage"].as_f64().unwrap_or(0.0)
        )),
    ];
    let title = format!(" Map Run {} ", short(&v.arn));
    f.render_widget(Paragraph::new(lines).block(Block::bordered().title(title)), head);
    let shown = v.shown();
    let rows = shown.iter().map(|c| {
        let status = c["status"].as_str().unwrap_or("?");
        let start = c["startDate"].as_f64().unwrap_or(0.0);
        let took = c["stopDate"].as_f64().map(|s| duration((s - start).max(0.0))).unwrap_or_default();
        Row::new(vec![
            Cell::from(status.to_string()).style(status_style(status)),
            Cell::from(c["name"].as_str().unwrap_or("").to_string()),
            Cell::from(clock(start, app.now)),
            Cell::from(took),
        ])
    });
    let which = if v.failed_only { "children that did not succeed" } else { "children" };
    let empty = shown.is_empty();
    let t =
        Table::new(rows, [Constraint::Length(10), Constraint::Min(20), Constraint::Length(10), Constraint::Length(9)])
            .header(Row::new(["STATUS", "NAME", "STARTED", "TOOK"]).style(BOLD))
            .block(Block::bordered().title(format!(" {which} (Enter: open, f: failed only) ")))
            .row_highlight_style(SELECTED);
    if empty {
        let said = match (v.failed_only, r["executionCounts"]["total"].as_u64().unwrap_or(0)) {
            (true, _) => "No child failed.",
            (false, n) if n > 0 => "Its children are EXPRESS executions, which are not kept (their counts are above).",
            _ => "No child has started yet.",
        };
        f.render_widget(Paragraph::new(said).block(Block::bordered().title(format!(" {which} "))), list);
    } else {
        let mut state = TableState::default().with_selected(Some(v.selected));
        f.render_stateful_widget(t, list, &mut state);
    }
}
