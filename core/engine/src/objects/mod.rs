//! An S3-compatible object store (AWS S3, MinIO, moto...) for Map Runs' `ItemReader` and
//! `ResultWriter`: a small blocking HTTP/1.1 client (TLS by rustls), requests signed with
//! AWS Signature Version 4, and the three calls a Map Run needs. Objects are streamed:
//! nothing reads a whole object into memory.
//!
//! `sigv4.rs` and `http.rs` are the bottom files; `client.rs` makes the calls.

pub(crate) mod client;
mod http;
mod sigv4;
