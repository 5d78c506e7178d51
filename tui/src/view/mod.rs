//! Drawing: one function per screen and overlay. Colours are the terminal's named ones
//! (green, red, yellow, cyan) with bold for emphasis, readable on light and dark themes.

mod detail;
mod graph;
mod list;
mod machines;
mod map_run;
mod style;
mod workers;

pub use style::{clock, duration, sideways};
use style::{status_style, SELECTED};

use crate::state::{count, short, App, HitMap, Modal, Screen, STATUSES};
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Clear, Padding, Paragraph, Row, Table, Wrap};
use ratatui::Frame;

/// Draws the dashboard; where the list was drawn, for clicks (`None`: no list drawn,
/// the last one's place stands).
pub fn draw(f: &mut Frame, app: &App) -> Option<HitMap> {
    let [tabs, body, status] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(3), Constraint::Length(1)]).areas(f.area());
    view_tabs(f, tabs, app);
    let hits = match app.screen {
        Screen::Executions => list::executions(f, body, app),
        Screen::Execution => {
            detail::execution(f, body, app);
            None
        }
        Screen::Machines => machines::machines(f, body, app),
        Screen::Workers => Some(workers::workers(f, body, app)),
        Screen::MapRun => {
            map_run::map_run(f, body, app);
            None
        }
    };
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
    hits
}

/// The views, the current one highlighted, with the keys that switch to them.
fn view_tabs(f: &mut Frame, area: Rect, app: &App) {
    let current = match app.screen {
        Screen::Executions | Screen::Execution | Screen::MapRun => 0,
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
    let tabs = Line::from(spans);
    // Where `stepline dev` keeps its store and logs, and the file its example worker
    // reads: at the right, its end kept when the line is short.
    if let Some(dir) = &app.data_dir {
        let room = (area.width as usize).saturating_sub(tabs.width() + 3 + "data: ".len());
        let path = dir.display().to_string();
        let n = path.chars().count();
        let name = dir.file_name().map(|f| format!("…{}{}", std::path::MAIN_SEPARATOR, f.to_string_lossy()));
        if room >= 8 {
            let shown = match name {
                _ if n <= room => path,
                Some(name) if name.chars().count() <= room => name,
                _ => format!("…{}", path.chars().skip(n + 1 - room).collect::<String>()),
            };
            let data = Line::from(format!("data: {shown} ")).style(Style::new().add_modifier(Modifier::DIM));
            f.render_widget(Paragraph::new(data).alignment(ratatui::layout::Alignment::Right), area);
        }
    }
    f.render_widget(Paragraph::new(tabs), area);
}

/// The keys of each screen, most useful first: the status line shows as many as fit
/// after the message (`?` shows them all).
fn hints(screen: Screen) -> &'static [&'static str] {
    match screen {
        Screen::Executions => &[
            "Enter open",
            "s/R/P stop/redrive/replay",
            "0-5 status",
            "/ search",
            "m machine",
            "t trouble",
            "o order",
            "n/p page",
            "B bulk",
            "N new",
        ],
        Screen::Execution => &[
            "Tab pane",
            "j/k move",
            "Esc back",
            "s/R/P stop/redrive/replay",
            "T answer task",
            "[/] iteration",
            "f failed here",
            "< > sideways",
            "w save",
        ],
        Screen::Machines => {
            &["j/k move", "Enter its executions", "N start one", "J/K scroll", "< > sideways", "E/W views"]
        }
        Screen::Workers => {
            &["j/k move", "Enter open execution", "T answer task", "s/R/P on its execution", "E/S views"]
        }
        Screen::MapRun => {
            &["j/k move", "Enter open child", "f failed only", "Esc back", "R redrive the run", "s/P its execution"]
        }
    }
}

fn status_line(f: &mut Frame, area: Rect, app: &App) {
    let width = area.width as usize;
    let mut spans = Vec::new();
    let mut used = 0;
    if let Some(m) = &app.message {
        let m = Span::styled(m.clone(), Style::new().add_modifier(Modifier::BOLD));
        used = m.width();
        spans.push(m);
    }
    // Whole hints only: a key cut in half says nothing.
    for h in hints(app.screen) {
        let gap = if used == 0 { 0 } else { 2 };
        let w = Span::raw(*h).width();
        if used + gap + w > width {
            break;
        }
        spans.push(Span::raw(" ".repeat(gap)));
        spans.push(Span::raw(*h));
        used += gap + w;
    }
    f.render_widget(Paragraph::new(Line::from(spans)).style(Style::new().add_modifier(Modifier::DIM)), area);
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
        " Bulk action on {}{} ",
        count(targets.len(), "execution", "executions"),
        if targets.len() >= 1000 { " (the first 1,000)" } else { "" }
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
    let now_on = match app.screen {
        Screen::Execution => "an execution",
        Screen::Executions => "the executions",
        Screen::Machines => "the state machines",
        Screen::Workers => "the workers",
        Screen::MapRun => "a Map Run",
    };
    let mut text = format!(
        "Views    E executions    S state machines    W workers    r read again now    q quit
Executions
  j/k ↑/↓ move    Enter/click open    g/G first/last    n/p next/previous page
  0-5  status: 0 all, {filters}
  m  next machine    t  trouble: retrying or waiting longer than 10s, 1m, 5m, 1h
  /  search the store: name, error, cause, failed state    Esc  clear the filters
  o  order: newest, oldest (whole store), longest, name (the page)
  B  bulk: preview what the filter matches, then stop or redrive them all
Execution
  Tab  states → history → JSON    j/k select    J/K scroll    < >  scroll sideways    w  save the JSON to a file
  JSON: Enter/space fold or unfold    c fold all    x unfold all
  [ ]  previous/next iteration of the Map selected    f  executions that failed here
  T  answer the task it waits on: success or failure, edited in $EDITOR
  o  open the child execution or Map Run the state started    u  up to the execution that started it
Map Run    j/k move    Enter open a child    f failed children only    R redrive the run    Esc back
State machines    Enter  its executions    J/K scroll the definition    < >  sideways
Actions (asked to confirm; written to the audit log)
  s stop    R redrive    P replay (e: edit the input first)    N new execution of the machine
?  this help (any key closes it)    now on: {now_on}"
    );
    if let Some(dir) = &app.data_dir {
        text.push_str(&format!("\nData, logs and the audit log: {}", dir.display()));
    }
    let lines: Vec<Line> = text.lines().map(Line::from).collect();
    // As wide as its longest line, when the terminal is.
    let w = lines.iter().map(Line::width).max().unwrap_or(0) as u16 + 4;
    let area = centred(f.area(), w, lines.len() as u16 + 2);
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" Help ").padding(Padding::horizontal(1))),
        area,
    );
}
