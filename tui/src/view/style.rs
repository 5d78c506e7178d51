//! How the dashboard looks and writes values, shared by every screen: the colours of
//! statuses and marks, the selection, durations, clock times, and lines seen sideways.

use crate::model::Mark;
use ratatui::style::{Color, Modifier, Style};

pub fn status_style(status: &str) -> Style {
    match status {
        "SUCCEEDED" => Style::new().fg(Color::Green),
        "FAILED" | "TIMED_OUT" => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        "ABORTED" => Style::new().fg(Color::Yellow),
        "RUNNING" => Style::new().fg(Color::Cyan),
        _ => Style::new(),
    }
}

pub fn mark_style(m: Mark) -> (Style, &'static str) {
    match m {
        Mark::Succeeded => (Style::new().fg(Color::Green), "✓"),
        Mark::Failed => (Style::new().fg(Color::Red).add_modifier(Modifier::BOLD), "✗"),
        Mark::Caught => (Style::new().fg(Color::Yellow), "↷"),
        Mark::Running => (Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD), "▶"),
        Mark::NotReached => (Style::new().add_modifier(Modifier::DIM), "·"),
    }
}

pub const SELECTED: Style = Style::new().add_modifier(Modifier::REVERSED);
pub const BOLD: Style = Style::new().add_modifier(Modifier::BOLD);

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
    let t = stepline_asl::time::format_timestamp((s * 1000.0) as i64);
    let same_day = (s / 86400.0).floor() == (now / 86400.0).floor();
    if same_day {
        t.get(11..19).unwrap_or(&t).to_string()
    } else {
        t.get(..16).unwrap_or(&t).replace('T', " ")
    }
}

/// A line of a JSON pane seen through `width` columns from column `from` (`<` `>`):
/// `‹` where some of it is out of sight on the left, `›` where it goes on past the right.
pub fn sideways(text: &str, from: usize, width: usize) -> String {
    let n = text.chars().count();
    if width == 0 || from >= n {
        return String::new();
    }
    let mut shown: Vec<char> = text.chars().skip(from).take(width).collect();
    if from > 0 {
        shown[0] = '‹';
    }
    if from + width < n {
        shown[width - 1] = '›';
    }
    shown.into_iter().collect()
}
