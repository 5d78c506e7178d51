//! Analysed pictures kept per thread, so an expression evaluated many times with the same
//! picture analyses it (and builds its pattern) once. Bounded: when full it starts over.

use super::datetime_parse::Parser;
use super::datetime_picture::{analyse_picture, Part};
use super::error::PictureError;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// Distinct pictures kept per thread.
const CAPACITY: usize = 64;

thread_local! {
    static FORMATS: RefCell<HashMap<String, Rc<[Part]>>> = RefCell::new(HashMap::new());
    static PARSERS: RefCell<HashMap<String, Rc<Parser>>> = RefCell::new(HashMap::new());
}

fn cached<T: ?Sized>(
    cache: &'static std::thread::LocalKey<RefCell<HashMap<String, Rc<T>>>>,
    picture: &str,
    build: impl FnOnce() -> Result<Rc<T>, PictureError>,
) -> Result<Rc<T>, PictureError> {
    if let Some(hit) = cache.with(|c| c.borrow().get(picture).cloned()) {
        return Ok(hit);
    }
    let built = build()?;
    cache.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= CAPACITY {
            c.clear();
        }
        c.insert(picture.to_string(), built.clone());
    });
    Ok(built)
}

/// The analysed parts of a formatting picture.
pub fn format_parts(picture: &str) -> Result<Rc<[Part]>, PictureError> {
    cached(&FORMATS, picture, || analyse_picture(picture).map(Rc::from))
}

/// The parser of a parsing picture.
pub fn parser(picture: &str) -> Result<Rc<Parser>, PictureError> {
    cached(&PARSERS, picture, || Parser::new(picture).map(Rc::new))
}
