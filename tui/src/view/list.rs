//! The executions list: counts per status, the filters in force, started-per-second,
//! and a page of executions.

use super::style::{clock, duration, status_style, SELECTED};
use crate::state::{App, HitMap};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Sparkline, Table, TableState, Wrap};
use ratatui::Frame;

pub fn executions(f: &mut Frame, area: Rect, app: &App) -> Option<HitMap> {
    let [head, table] = Layout::vertical([Constraint::Length(4), Constraint::Min(1)]).areas(area);
    let spark_width = if head.width < 100 { 22 } else { 34 };
    let [counts, spark] = Layout::horizontal([Constraint::Min(40), Constraint::Length(spark_width)]).areas(head);
    let mut spans = vec![];
    for (s, n) in &app.counts {
        let mut style = status_style(s);
        if app.status_filter == Some(*s) {
            style = style.add_modifier(Modifier::REVERSED);
        }
        spans.push(Span::styled(format!("{s} {n} "), style));
    }
    let mut filter = Vec::new();
    filter.push(format!("machine: {}", app.machine_filter.as_deref().unwrap_or("all")));
    filter.push(format!("status: {}", app.status_filter.unwrap_or("all")));
    if let Some(t) = app.trouble {
        filter.push(format!("trouble: retrying or waiting >{}", duration(t as f64)));
    }
    if let Some(s) = &app.failed_state {
        filter.push(format!("failed in: {s}"));
    }
    if !app.search.is_empty() {
        filter.push(format!("search: \"{}\"", app.search));
    }
    let mut where_ = format!("page {} · {}", app.pages.len() + 1, app.sort.label());
    if let Some(n) = app.scanned {
        let state = if app.search_job.is_some() {
            " · searching…"
        } else if app.search_slow {
            ", r to search again"
        } else {
            ""
        };
        where_.push_str(&format!(" · {n} read{state}"));
    }
    filter.push(where_);
    let text = vec![Line::from(spans), Line::from(filter.join("   ")).style(Style::new().add_modifier(Modifier::DIM))];
    f.render_widget(
        Paragraph::new(text).wrap(Wrap { trim: true }).block(Block::bordered().title(" executions ")),
        counts,
    );
    // The newest seconds at the right edge, as many as fit.
    let fit = (spark.width.saturating_sub(2) as usize).min(app.throughput.len());
    let recent = &app.throughput[app.throughput.len() - fit..];
    f.render_widget(Sparkline::default().block(Block::bordered().title(" started/s ")).data(recent), spark);
    if app.rows.is_empty() {
        let filtered = !app.search.is_empty()
            || app.status_filter.is_some()
            || app.trouble.is_some()
            || app.failed_state.is_some()
            || app.machine_filter.is_some();
        let empty = if filtered {
            "No execution matches. Esc clears the filters."
        } else {
            "No executions yet. Start one with N (after choosing a machine with m or in S), with `stepline start MACHINE --input JSON`, or press ? for help."
        };
        f.render_widget(Paragraph::new(empty).block(Block::bordered()).wrap(Wrap { trim: true }), table);
        return None;
    }
    let rows = app.rows.iter().map(|r| {
        Row::new(vec![
            Cell::from(r.status.clone()).style(status_style(&r.status)),
            Cell::from(r.machine.clone()),
            Cell::from(r.name.clone()),
            Cell::from(clock(r.start, app.now)),
            Cell::from(duration(r.duration(app.now))),
        ])
    });
    let widths = [
        Constraint::Length(10),
        Constraint::Percentage(25),
        Constraint::Min(12),
        Constraint::Length(16),
        Constraint::Length(8),
    ];
    let t = Table::new(rows, widths)
        .header(
            Row::new(["STATUS", "MACHINE", "NAME", "STARTED (UTC)", "TOOK"])
                .style(Style::new().add_modifier(Modifier::BOLD)),
        )
        .block(Block::bordered())
        .row_highlight_style(SELECTED);
    let mut state = TableState::default().with_selected(Some(app.selected));
    f.render_stateful_widget(t, table, &mut state);
    // Border and header above the first row.
    Some(HitMap { top: table.y + 2, first: state.offset() })
}
