//! The decoders of calls whose arguments or result need more than their
//! table entry's [`crate::table::Arg`]s say, one file per family, named by
//! the entry's [`crate::table::Decoder`].

mod clone;
mod fcntl;
mod socket;

pub(super) use fcntl::fcntl_arg;
pub(super) use socket::socket_protocol;
