//! The state machines view and the workers view.

use super::{duration, sideways, status_style, SELECTED};
use crate::app::{short, App, STATUSES};
use crate::json;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, TableState, Wrap};
use ratatui::Frame;

const BOLD: Style = Style::new().add_modifier(Modifier::BOLD);

pub fn machines(f: &mut Frame, area: Rect, app: &App) {
    let narrow = area.width < 100;
    let [list, definition] = if narrow {
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area)
    } else {
        Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(area)
    };
    if app.machine_rows.is_empty() {
        let text = "No state machines yet. Create one with `stepline create NAME --definition FILE`.";
        f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }).block(Block::bordered()), list);
        return;
    }
    let rows = app.machine_rows.iter().map(|m| {
        let mut cells =
            vec![Cell::from(m.name.clone()), Cell::from(m.kind.clone()), Cell::from(format!("v{}", m.version))];
        for (i, s) in STATUSES.iter().enumerate() {
            let n = m.counts[i];
            let style = if n == 0 { Style::new().add_modifier(Modifier::DIM) } else { status_style(s) };
            cells.push(Cell::from(n.to_string()).style(style));
        }
        Row::new(cells)
    });
    let widths = [
        Constraint::Min(12),
        Constraint::Length(9),
        Constraint::Length(5),
        Constraint::Length(7),
        Constraint::Length(7),
        Constraint::Length(7),
        Constraint::Length(7),
        Constraint::Length(7),
    ];
    let t = Table::new(rows, widths)
        .header(Row::new(["NAME", "TYPE", "VER", "RUN", "OK", "FAILED", "T/OUT", "ABORT"]).style(BOLD))
        .block(Block::bordered().title(" state machines "))
        .row_highlight_style(SELECTED);
    let mut state = TableState::default().with_selected(Some(app.machine_selected));
    f.render_stateful_widget(t, list, &mut state);
    app.layout.set((list.y + 2, state.offset()));
    if let Some(m) = app.machine_rows.get(app.machine_selected) {
        let width = definition.width.saturating_sub(2) as usize;
        let lines: Vec<Line> = json::lines(&m.definition, &Default::default())
            .into_iter()
            .map(|l| {
                Line::from(sideways(&format!("{}{}", "  ".repeat(l.depth), l.text), app.json_hscroll as usize, width))
            })
            .collect();
        f.render_widget(
            Paragraph::new(lines)
                .scroll((app.json_scroll, 0))
                .block(Block::bordered().title(format!(" {} definition (J/K, < > scroll) ", m.name))),
            definition,
        );
    }
}

pub fn workers(f: &mut Frame, area: Rect, app: &App) {
    let height = (app.activities.len() as u16 + 3).clamp(4, area.height / 2);
    let [top, bottom] = Layout::vertical([Constraint::Length(height), Constraint::Min(3)]).areas(area);
    let rows = app.activities.iter().map(|a| {
        let age = |t: Option<f64>| t.map(|t| duration((app.now - t).max(0.0))).unwrap_or_else(|| "-".into());
        let pending_style = if a.pending > 0 { Style::new().fg(Color::Cyan) } else { Style::new() };
        Row::new(vec![
            Cell::from(a.activity.clone()),
            Cell::from(a.pending.to_string()).style(pending_style),
            Cell::from(age(a.oldest)),
            Cell::from(age(a.last_heartbeat).replace('-', "none")),
            Cell::from(format!("{:.1}", a.rate)),
            Cell::from(a.answered.to_string()),
        ])
    });
    let widths = [
        Constraint::Min(16),
        Constraint::Length(8),
        Constraint::Length(12),
        Constraint::Length(15),
        Constraint::Length(10),
        Constraint::Length(9),
    ];
    let t = Table::new(rows, widths)
        .header(Row::new(["ACTIVITY", "WAITING", "OLDEST WAIT", "LAST HEARTBEAT", "RESULTS/S", "ANSWERED"]).style(BOLD))
        .block(Block::bordered().title(" workers: tasks per activity "));
    if app.activities.is_empty() {
        f.render_widget(
            Paragraph::new("No task has been handed to a worker since the engine started.")
                .block(Block::bordered().title(" workers ")),
            top,
        );
    } else {
        f.render_widget(t, top);
    }
    let rows = app.tasks.iter().map(|t| {
        Row::new(vec![
            Cell::from(duration((app.now - t.scheduled).max(0.0))),
            Cell::from(t.activity.clone()),
            Cell::from(short(&t.execution_arn).to_string()),
            Cell::from(t.state.clone()),
            Cell::from(if t.retry > 0 { format!("retry {}", t.retry) } else { String::new() }),
            Cell::from(match (t.callback, t.heartbeat) {
                (true, _) => "callback".to_string(),
                (_, Some(h)) => format!("beat {} ago", duration((app.now - h).max(0.0))),
                _ => String::new(),
            }),
        ])
    });
    let widths = [
        Constraint::Length(8),
        Constraint::Percentage(20),
        Constraint::Min(14),
        Constraint::Percentage(20),
        Constraint::Length(8),
        Constraint::Length(16),
    ];
    let t = Table::new(rows, widths)
        .header(Row::new(["WAITING", "ACTIVITY", "EXECUTION", "STATE", "RETRY", "HEARTBEAT"]).style(BOLD))
        .block(Block::bordered().title(" oldest waiting tasks (Enter: execution, T: answer) "))
        .row_highlight_style(SELECTED);
    let mut state = TableState::default().with_selected(Some(app.task_selected));
    f.render_stateful_widget(t, bottom, &mut state);
    app.layout.set((bottom.y + 2, state.offset()));
}
