//! Stepline's operator dashboard (ratatui). Only the crate boundary exists so far.
