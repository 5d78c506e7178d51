//! The execution view: status and error, the states drawn as a graph and marked by what
//! happened to each (or the history as a table), and the JSON viewer.

use super::graph;
use super::style::{clock, duration, mark_style, sideways, status_style, SELECTED};
use crate::state::{count, short, App, Detail, Pane};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, TableState, Wrap};
use ratatui::Frame;

pub fn execution(f: &mut Frame, area: Rect, app: &App) {
    let Some(d) = &app.detail else { return };
    let [head, main] = Layout::vertical([Constraint::Length(4), Constraint::Min(5)]).areas(area);
    summary(f, head, app, d);
    let narrow = main.width < 100;
    let [left, right] = if narrow {
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(main)
    } else {
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(main)
    };
    match d.source {
        Pane::History => history(f, left, d),
        _ => states(f, left, d),
    }
    json_viewer(f, right, d);
}

fn focus(d: &Detail, p: Pane) -> Style {
    if d.pane == p {
        Style::new().add_modifier(Modifier::BOLD)
    } else {
        Style::new().add_modifier(Modifier::DIM)
    }
}

fn summary(f: &mut Frame, area: Rect, app: &App, d: &Detail) {
    let e = &d.execution;
    let status = e["status"].as_str().unwrap_or("?");
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("{status} "), status_style(status)),
        Span::styled(short(&d.arn).to_string(), Style::new().add_modifier(Modifier::BOLD)),
        Span::raw(format!("  ({})", short(e["stateMachineArn"].as_str().unwrap_or("")))),
        Span::raw(match e["redriveCount"].as_u64() {
            Some(n) if n > 0 => format!("  redriven {n}×"),
            _ => String::new(),
        }),
    ])];
    if let Some(err) = e["error"].as_str() {
        lines.push(Line::from(vec![
            Span::styled(format!("{err}: "), Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)),
            Span::raw(e["cause"].as_str().unwrap_or("").to_string()),
        ]));
    } else if let Some(t) = d.tasks.first() {
        let waited = app.now - t["scheduledDate"].as_f64().unwrap_or(app.now);
        lines.push(Line::from(vec![
            Span::styled("waiting ", Style::new().fg(Color::Cyan)),
            Span::raw(format!(
                "{} on {} for {}{}  ·  T answers it",
                t["stateName"].as_str().unwrap_or("?"),
                t["activity"].as_str().unwrap_or("?"),
                duration(waited.max(0.0)),
                if t["waitForTaskToken"] == true { " (callback)" } else { "" },
            )),
        ]));
    } else {
        let started = e["startDate"].as_f64().unwrap_or(0.0);
        let took = e["stopDate"].as_f64().unwrap_or(app.now) - started;
        lines.push(Line::from(format!(
            "started {}  ·  {}  ·  {}",
            clock(started, app.now),
            duration(took.max(0.0)),
            count(d.history.len(), "event", "events")
        )));
    }
    f.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" execution ")).wrap(Wrap { trim: true }),
        area,
    );
}

fn states(f: &mut Frame, area: Rect, d: &Detail) {
    let gutters = graph::gutters(&d.graph);
    let rows = d.graph.iter().zip(&gutters).map(|(l, g)| {
        let (style, sign) = mark_style(d.mark(&l.name));
        let undrawn = if g.undrawn.is_empty() { String::new() } else { format!(" → {}", g.undrawn.join(", ")) };
        let retries = match d.outcomes.get(&l.name).map_or(0, |o| o.retries) {
            0 => String::new(),
            n => format!(" · {}", count(n as usize, "retry", "retries")),
        };
        Row::new(vec![Cell::from(Line::from(vec![
            Span::styled(g.gutter.clone(), Style::new().fg(Color::Blue)),
            Span::raw("  ".repeat(l.depth)),
            Span::styled(format!("{sign} {}", l.name), style),
            Span::styled(format!(" {}", l.kind), Style::new().add_modifier(Modifier::DIM)),
            Span::styled(retries, Style::new().fg(Color::Yellow)),
            Span::styled(undrawn, Style::new().add_modifier(Modifier::DIM)),
        ]))])
    });
    let title = match &d.iteration {
        Some((map, i)) => format!(" {map} #{i} ([ ] other iterations) "),
        None => " states (Tab: history) ".to_string(),
    };
    let t = Table::new(rows, [Constraint::Min(10)])
        .block(Block::bordered().title(title).border_style(focus(d, Pane::Graph)))
        .row_highlight_style(SELECTED);
    f.render_stateful_widget(t, area, &mut TableState::default().with_selected(Some(d.graph_selected)));
}

fn history(f: &mut Frame, area: Rect, d: &Detail) {
    let start = d.history.first().map_or(0.0, |h| h.timestamp);
    let rows = d.history.iter().map(|h| {
        let style = if h.is_failure() { Style::new().fg(Color::Red) } else { Style::new() };
        Row::new(vec![
            Cell::from(h.id.to_string()),
            Cell::from(h.kind.clone()).style(style),
            Cell::from(h.state.clone().unwrap_or_default()),
            Cell::from(format!("+{}", duration(h.timestamp - start))),
        ])
    });
    let t = Table::new(
        rows,
        [Constraint::Length(4), Constraint::Min(18), Constraint::Percentage(30), Constraint::Length(8)],
    )
    .header(Row::new(["ID", "EVENT", "STATE", "AT"]).style(Style::new().add_modifier(Modifier::BOLD)))
    .block(Block::bordered().title(" history (Tab: JSON) ").border_style(focus(d, Pane::History)))
    .row_highlight_style(SELECTED);
    f.render_stateful_widget(t, area, &mut TableState::default().with_selected(Some(d.event_selected)));
}

fn json_viewer(f: &mut Frame, area: Rect, d: &Detail) {
    let lines = d.json_lines();
    let height = area.height.saturating_sub(2) as usize;
    // Keep the cursor in sight; J/K scroll further.
    let mut top = d.json_scroll as usize;
    if d.pane == Pane::Json && d.json_cursor >= top + height {
        top = d.json_cursor + 1 - height;
    }
    let width = area.width.saturating_sub(2) as usize;
    let from = d.json_hscroll as usize;
    let text: Vec<Line> = lines
        .iter()
        .enumerate()
        .skip(top)
        .take(height)
        .map(|(i, l)| {
            let mut style = if l.folded { Style::new().fg(Color::Magenta) } else { Style::new() };
            if d.pane == Pane::Json && i == d.json_cursor {
                style = style.patch(SELECTED);
            }
            let indent = 2 * l.depth;
            let whole = format!("{}{}", " ".repeat(indent), l.text);
            let shown = sideways(&whole, from, width);
            // The indent is not highlighted with the line.
            let lead = shown.chars().take_while(|c| *c == ' ').count().min(indent.saturating_sub(from));
            let (lead, rest) = shown.split_at(lead);
            Line::from(vec![Span::raw(lead.to_string()), Span::styled(rest.to_string(), style)])
        })
        .collect();
    let title = if d.pane == Pane::Json {
        " input · output · error (Enter fold, c/x all, < > sideways) ".to_string()
    } else {
        " input · output · error (Tab to fold) ".to_string()
    };
    f.render_widget(
        Paragraph::new(text).block(Block::bordered().title(title).border_style(focus(d, Pane::Json))),
        area,
    );
}
