//! Drawing: one function per screen and overlay. Colours are the terminal's named ones
//! (green, red, yellow, cyan) with bold for emphasis, readable on light and dark themes.

use crate::app::{short, App, Modal, Pane, Screen, STATUSES};
use crate::model::{pretty, Mark};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Clear, Paragraph, Row, Sparkline, Table, TableState, Wrap};
use ratatui::Frame;

fn status_style(status: &str) -> Style {
    match status {
        "SUCCEEDED" => Style::new().fg(Color::Green),
        "FAILED" | "TIMED_OUT" => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        "ABORTED" => Style::new().fg(Color::Yellow),
        "RUNNING" => Style::new().fg(Color::Cyan),
        _ => Style::new(),
    }
}

fn mark_style(m: Option<&Mark>) -> (Style, &'static str) {
    match m {
        Some(Mark::Succeeded) => (Style::new().fg(Color::Green), "✓"),
        Some(Mark::Failed) => (Style::new().fg(Color::Red).add_modifier(Modifier::BOLD), "✗"),
        Some(Mark::Caught) => (Style::new().fg(Color::Yellow), "↷"),
        Some(Mark::Running) => (Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD), "▶"),
        Some(Mark::NotReached) | None => (Style::new().add_modifier(Modifier::DIM), "·"),
    }
}

const SELECTED: Style = Style::new().add_modifier(Modifier::REVERSED);

/// Seconds as an operator reads a duration.
pub fn duration(s: f64) -> String {
    if s < 1.0 {
        format!("{:.0}ms", s * 1000.0)
    } else if s < 60.0 {
        format!("{s:.1}s")
    } else if s < 3600.0 {
        format!("{}m{:02}s", (s / 60.0) as u64, (s % 60.0) as u64)
    } else {
        format!("{}h{:02}m", (s / 3600.0) as u64, ((s % 3600.0) / 60.0) as u64)
    }
}

/// A start time as `HH:MM:SS` (UTC), the date when it is not today.
pub fn clock(s: f64, now: f64) -> String {
    let t = stepline_core::time::format_timestamp((s * 1000.0) as i64);
    let same_day = (s / 86400.0).floor() == (now / 86400.0).floor();
    if same_day {
        t.get(11..19).unwrap_or(&t).to_string()
    } else {
        t.get(..16).unwrap_or(&t).replace('T', " ")
    }
}

pub fn draw(f: &mut Frame, app: &App) {
    let [body, status] = Layout::vertical([Constraint::Min(3), Constraint::Length(1)]).areas(f.area());
    match app.screen {
        Screen::Executions => executions(f, body, app),
        Screen::Execution => execution(f, body, app),
    }
    status_line(f, status, app);
    match &app.modal {
        Modal::Help => help(f, app),
        Modal::Confirm(a) => dialog(f, "Confirm", &format!("{}\n\ny: yes    any other key: no", a.describe())),
        Modal::Search(text) => {
            dialog(f, "Search name, error or cause", &format!("{text}▏\n\nEnter: search    Esc: cancel"))
        }
        Modal::None => {}
    }
}

fn status_line(f: &mut Frame, area: Rect, app: &App) {
    let keys = match app.screen {
        Screen::Executions => {
            "Enter open  0-5 status  m machine  / search  o sort  n/p page  s stop  R redrive  P replay  ? help  q quit"
        }
        Screen::Execution => {
            "Tab pane  j/k move  J/K scroll  w save JSON  s stop  R redrive  P replay  Esc back  ? help"
        }
    };
    let line = match &app.message {
        Some(m) => Line::from(vec![
            Span::styled(m.clone(), Style::new().add_modifier(Modifier::BOLD)),
            Span::raw("  "),
            Span::raw(keys),
        ]),
        None => Line::from(keys),
    };
    f.render_widget(Paragraph::new(line).style(Style::new().add_modifier(Modifier::DIM)), area);
}

fn executions(f: &mut Frame, area: Rect, app: &App) {
    let [head, table] = Layout::vertical([Constraint::Length(4), Constraint::Min(1)]).areas(area);
    let spark_width = if head.width < 100 { 22 } else { 34 };
    let [counts, spark] = Layout::horizontal([Constraint::Min(40), Constraint::Length(spark_width)]).areas(head);
    let mut spans = vec![];
    for (s, n, more) in &app.counts {
        let active = app.status_filter == Some(*s);
        let mut style = status_style(s);
        if active {
            style = style.add_modifier(Modifier::REVERSED);
        }
        spans.push(Span::styled(format!("{s} {n}{} ", if *more { "+" } else { "" }), style));
    }
    let mut filter = Vec::new();
    filter.push(format!("machine: {}", app.machine_filter.as_deref().unwrap_or("all")));
    filter.push(format!("status: {}", app.status_filter.unwrap_or("all")));
    if !app.search.is_empty() {
        filter.push(format!("search: \"{}\"", app.search));
    }
    filter.push(format!("page {} · sorted {}", app.pages.len() + 1, app.sort.label()));
    let text = vec![Line::from(spans), Line::from(filter.join("   ")).style(Style::new().add_modifier(Modifier::DIM))];
    f.render_widget(Paragraph::new(text).block(Block::bordered().title(" Stepline · executions ")), counts);
    // The newest seconds at the right edge, as many as fit.
    let fit = (spark.width.saturating_sub(2) as usize).min(app.throughput.len());
    let recent = &app.throughput[app.throughput.len() - fit..];
    f.render_widget(Sparkline::default().block(Block::bordered().title(" started/s ")).data(recent), spark);
    if app.rows.is_empty() {
        let empty = if app.search.is_empty() && app.status_filter.is_none() {
            "No executions yet. Start one with `stepline start MACHINE --input JSON`, or press ? for help."
        } else {
            "No execution matches. Esc clears the filters."
        };
        f.render_widget(Paragraph::new(empty).block(Block::bordered()).wrap(Wrap { trim: true }), table);
        return;
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
}

fn execution(f: &mut Frame, area: Rect, app: &App) {
    let Some(d) = &app.detail else { return };
    let e = &d.execution;
    let status = e["status"].as_str().unwrap_or("?");
    let [head, main] = Layout::vertical([Constraint::Length(4), Constraint::Min(5)]).areas(area);
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
    } else {
        let started = e["startDate"].as_f64().unwrap_or(0.0);
        let took = e["stopDate"].as_f64().unwrap_or(app.now) - started;
        lines.push(Line::from(format!(
            "started {}  ·  {}  ·  {} events",
            clock(started, app.now),
            duration(took.max(0.0)),
            d.history.len()
        )));
    }
    f.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" execution ")).wrap(Wrap { trim: true }),
        head,
    );

    let narrow = main.width < 100;
    let [left, right] = if narrow {
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(main)
    } else {
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(main)
    };
    let focus = |p: Pane| {
        if d.pane == p {
            Style::new().add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    };
    match d.pane {
        Pane::Graph => {
            let rows = d.graph.iter().map(|l| {
                let (style, sign) = mark_style(d.marks.get(&l.name));
                let arrow = if l.next.is_empty() { String::new() } else { format!(" → {}", l.next.join(", ")) };
                Row::new(vec![Cell::from(Line::from(vec![
                    Span::raw("  ".repeat(l.depth)),
                    Span::styled(format!("{sign} {}", l.name), style),
                    Span::styled(format!(" {}{arrow}", l.kind), Style::new().add_modifier(Modifier::DIM)),
                ]))])
            });
            let t = Table::new(rows, [Constraint::Min(10)])
                .block(Block::bordered().title(" states (Tab: history) ").border_style(focus(Pane::Graph)))
                .row_highlight_style(SELECTED);
            f.render_stateful_widget(t, left, &mut TableState::default().with_selected(Some(d.graph_selected)));
        }
        Pane::History => {
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
            .block(Block::bordered().title(" history (Tab: states) ").border_style(focus(Pane::History)))
            .row_highlight_style(SELECTED);
            f.render_stateful_widget(t, left, &mut TableState::default().with_selected(Some(d.event_selected)));
        }
    }
    let json = pretty(&d.json());
    f.render_widget(
        Paragraph::new(json)
            .block(Block::bordered().title(" input · output · error "))
            .wrap(Wrap { trim: false })
            .scroll((d.json_scroll, 0)),
        right,
    );
}

/// A box centred in the screen, at most `w` x `h`.
fn centred(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

fn dialog(f: &mut Frame, title: &str, text: &str) {
    let area = centred(f.area(), 64, 7);
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(text.to_string())
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(format!(" {title} "))),
        area,
    );
}

fn help(f: &mut Frame, app: &App) {
    let filters: Vec<String> = STATUSES.iter().enumerate().map(|(i, s)| format!("{} {s}", i + 1)).collect();
    let filters = filters.join(", ");
    let text = format!(
        "Executions\n  j/k ↑/↓  move        Enter  open          g/G  first/last\n  0-5  status: 0 all, {}\n  m  next machine      /  search name, error, cause   Esc  clear filters\n  n/p  next/previous page    o  sort the page: newest, oldest, longest, name\n\nExecution\n  Tab  states ↔ history    j/k  select    J/K  scroll the JSON\n  w  save the JSON shown to a file    Esc  back to the list\n\nActions (asked to confirm)\n  s  stop    R  redrive a failed execution    P  replay with the same input\n\n?  this help (any key closes it)    q  quit    (now on: {})",
        filters,
        if app.screen == Screen::Execution { "an execution" } else { "the list" }
    );
    let area = centred(f.area(), 80, 18);
    f.render_widget(Clear, area);
    f.render_widget(Paragraph::new(text).block(Block::bordered().title(" Help ")), area);
}
