//! Analysed pictures kept per thread, so an expression evaluated many times with the same
//! picture analyses it (and builds its pattern) once. The picture used last is checked
//! first with one string comparison (an expression in a loop uses one picture), then a
//! map. Bounded: when full it starts over.

use super::datetime_parse::Parser;
use super::datetime_picture::{analyse_picture, Part};
use super::error::PictureError;
use super::integer::{analyse, IntegerFormat};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// Distinct pictures kept per thread.
const CAPACITY: usize = 64;

/// One kind of analysed picture, by picture text.
struct Cache<T: ?Sized> {
    last: Option<(Box<str>, Rc<T>)>,
    map: HashMap<Box<str>, Rc<T>>,
}

impl<T: ?Sized> Cache<T> {
    fn new() -> Self {
        Cache { last: None, map: HashMap::new() }
    }

    fn get(&mut self, picture: &str) -> Option<Rc<T>> {
        if let Some((p, v)) = &self.last {
            if **p == *picture {
                return Some(v.clone());
            }
        }
        let hit = self.map.get(picture)?.clone();
        self.last = Some((picture.into(), hit.clone()));
        Some(hit)
    }

    fn insert(&mut self, picture: &str, built: Rc<T>) {
        if self.map.len() >= CAPACITY {
            self.map.clear();
        }
        self.map.insert(picture.into(), built.clone());
        self.last = Some((picture.into(), built));
    }
}

type Slot<T> = RefCell<Cache<T>>;

thread_local! {
    static FORMATS: Slot<[Part]> = RefCell::new(Cache::new());
    static PARSERS: Slot<Parser> = RefCell::new(Cache::new());
    static INTEGERS: Slot<IntegerFormat> = RefCell::new(Cache::new());
}

fn cached<T: ?Sized>(
    cache: &'static std::thread::LocalKey<Slot<T>>,
    picture: &str,
    build: impl FnOnce() -> Result<Rc<T>, PictureError>,
) -> Result<Rc<T>, PictureError> {
    if let Some(hit) = cache.with(|c| c.borrow_mut().get(picture)) {
        return Ok(hit);
    }
    let built = build()?;
    cache.with(|c| c.borrow_mut().insert(picture, built.clone()));
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

/// The analysed form of an integer picture.
pub fn integer_format(picture: &str) -> Result<Rc<IntegerFormat>, PictureError> {
    cached(&INTEGERS, picture, || analyse(picture).map(Rc::new))
}
