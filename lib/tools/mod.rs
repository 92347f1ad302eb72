//! One module per binary: parse the arguments, call the library, write the output.

pub mod expand;
pub mod herd;
pub mod init;
pub mod log;
pub mod report;
pub mod res;
pub mod sh;
pub mod status;
pub mod stop;
pub mod submit;
pub mod tail;
pub mod test;
pub mod watch;
