//! The workers view: tasks per activity, and the oldest tasks waiting for an answer.

use super::style::{duration, BOLD, SELECTED};
use crate::state::{short, App, HitMap};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, TableState};
use ratatui::Frame;

pub fn workers(f: &mut Frame, area: Rect, app: &App) -> HitMap {
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
    HitMap { top: bottom.y + 2, first: state.offset() }
}
