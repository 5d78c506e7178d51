//! The state machines view: each machine with its version and executions per status,
//! and the selected one's definition.

use super::style::{sideways, status_style, BOLD, SELECTED};
use crate::json;
use crate::state::{App, HitMap, STATUSES};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, TableState, Wrap};
use ratatui::Frame;

pub fn machines(f: &mut Frame, area: Rect, app: &App) -> Option<HitMap> {
    let narrow = area.width < 100;
    let [list, definition] = if narrow {
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area)
    } else {
        Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(area)
    };
    if app.machine_rows.is_empty() {
        let text = "No state machines yet. Create one with `stepline create NAME --definition FILE`.";
        f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }).block(Block::bordered()), list);
        return None;
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
    let hits = HitMap { top: list.y + 2, first: state.offset() };
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
    Some(hits)
}
