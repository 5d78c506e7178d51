//! Drawing: one function per screen and overlay. Colours are the terminal's named ones
//! (green, red, yellow, cyan) with bold for emphasis, readable on light and dark themes.

mod detail;
mod graph;
mod list;
mod views;

use crate::app::{short, App, Modal, Screen, STATUSES};
use crate::model::Mark;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Clear, Paragraph, Row, Table, Wrap};
use ratatui::Frame;

pub(crate) fn status_style(status: &str) -> Style {
    match status {
        "SUCCEEDED" => Style::new().fg(Color::Green),
        "FAILED" | "TIMED_OUT" => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        "ABORTED" => Style::new().fg(Color::Yellow),
        "RUNNING" => Style::new().fg(Color::Cyan),
        _ => Style::new(),
    }
}

pub(crate) fn mark_style(m: Option<&Mark>) -> (Style, &'static str) {
    match m {
        Some(Mark::Succeeded) => (Style::new().fg(Color::Green), "✓"),
        Some(Mark::Failed) => (Style::new().fg(Color::Red).add_modifier(Modifier::BOLD), "✗"),
        Some(Mark::Caught) => (Style::new().fg(Color::Yellow), "↷"),
        Some(Mark::Running) => (Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD), "▶"),
        Some(Mark::NotReached) | None => (Style::new().add_modifier(Modifier::DIM), "·"),
    }
}

pub(crate) const SELECTED: Style = Style::new().add_modifier(Modifier::REVERSED);

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
    let [tabs, body, status] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(3), Constraint::Length(1)]).areas(f.area());
    view_tabs(f, tabs, app);
    match app.screen {
        Screen::Executions => list::executions(f, body, app),
        Screen::Execution => detail::execution(f, body, app),
        Screen::Machines => views::machines(f, body, app),
        Screen::Workers => views::workers(f, body, app),
    }
    status_line(f, status, app);
    match &app.modal {
        Modal::Help => help(f, app),
        Modal::Confirm(a) => dialog(f, "Confirm", &format!("{}\n\ny: yes    any other key: no", a.describe())),
        Modal::Search(text) => dialog(
            f,
            "Search the store: name, error, cause, failed state",
            &format!("{text}▏\n\nEnter: search    Esc: cancel"),
        ),
        Modal::BulkPreview(targets) => bulk_preview(f, targets),
        Modal::AnswerTask { state, .. } => dialog(
            f,
            "Answer a waiting task",
            &format!(
                "The task of {state} waits for an answer.\n\ns: success (edit the output)    f: failure (edit error and cause)\nany other key: cancel"
            ),
        ),
        Modal::None => {}
    }
}

/// The views, the current one highlighted, with the keys that switch to them.
fn view_tabs(f: &mut Frame, area: Rect, app: &App) {
    let current = match app.screen {
        Screen::Executions | Screen::Execution => 0,
        Screen::Machines => 1,
        Screen::Workers => 2,
    };
    let mut spans = vec![Span::styled(" Stepline ", Style::new().add_modifier(Modifier::BOLD))];
    for (i, name) in ["E executions", "S state machines", "W workers"].into_iter().enumerate() {
        let style = if i == current { SELECTED.add_modifier(Modifier::BOLD) } else { Style::new() };
        spans.push(Span::raw(" "));
        spans.push(Span::styled(format!(" {name} "), style));
    }
    spans.push(Span::styled("   ? help", Style::new().add_modifier(Modifier::DIM)));
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn status_line(f: &mut Frame, area: Rect, app: &App) {
    let keys = match app.screen {
        Screen::Executions => {
            "Enter open  0-5 status  m machine  t trouble  / search  o order  n/p page  B bulk  s/R/P stop/redrive/replay  N new"
        }
        Screen::Execution => {
            "Tab pane  j/k move  [/] iteration  f failed here  T answer task  w save  s/R/P  Esc back"
        }
        Screen::Machines => "j/k move  Enter its executions  N start one  J/K scroll definition  E/W views",
        Screen::Workers => "j/k move  Enter open execution  T answer task  s/R/P on its execution  E/S views",
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

fn bulk_preview(f: &mut Frame, targets: &[(String, String)]) {
    let area = centred(f.area(), 72, 16);
    f.render_widget(Clear, area);
    let [list, keys] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(2)]).areas(area.inner(Margin::new(1, 1)));
    let rows = targets.iter().map(|(arn, status)| {
        Row::new(vec![Cell::from(status.clone()).style(status_style(status)), Cell::from(short(arn).to_string())])
    });
    let title = format!(
        " Bulk action on {} executions{} ",
        targets.len(),
        if targets.len() >= 1000 { " (the first 1000)" } else { "" }
    );
    f.render_widget(Block::bordered().title(title), area);
    f.render_widget(Table::new(rows, [Constraint::Length(10), Constraint::Min(10)]), list);
    f.render_widget(Paragraph::new("s: stop them all    R: redrive them all    any other key: cancel"), keys);
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
        "Views    E executions    S state machines    W workers    r refresh now
Executions
  j/k ↑/↓ move   Enter/click open   g/G first/last   n/p next/previous page
  0-5  status: 0 all, {filters}
  m  next machine    t  trouble: retrying or waiting longer than 10s, 1m, 5m, 1h
  /  search the store: name, error, cause, failed state    Esc  clear filters
  o  order: newest, oldest (whole store), longest, name (the page)
  B  bulk: preview what the filter matches, then stop or redrive them all
Execution
  Tab  states → history → JSON    j/k select    J/K scroll    w save the JSON to a file
  JSON: Enter/space fold or unfold    c fold all    x unfold all
  [ ]  previous/next iteration of the Map selected    f  executions that failed here
  T  answer the task it waits on: success or failure, edited in $EDITOR
Actions (asked to confirm; written to the audit log)
  s stop   R redrive   P replay (e: edit the input first)   N new execution of the machine
?  this help (any key closes it)    q  quit    (now on: {})",
        match app.screen {
            Screen::Execution => "an execution",
            Screen::Executions => "the executions",
            Screen::Machines => "the state machines",
            Screen::Workers => "the workers",
        }
    );
    let area = centred(f.area(), 88, 22);
    f.render_widget(Clear, area);
    f.render_widget(Paragraph::new(text).block(Block::bordered().title(" Help ")), area);
}
