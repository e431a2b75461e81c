//! How descriptors that name no path are named, as /proc and strace -y name
//! them: by the inode the recorder read behind them.

use super::CallView;
use crate::table::{Arg, FdEffect, Shape};

/// How /proc names a socket or pipe, by the inode the recorder read for it:
/// `socket:[1234]` (plain `socket` when there is none).
pub fn inode_name(kind: &str, inode: Option<u64>) -> Vec<u8> {
    match inode.filter(|&i| i != 0) {
        Some(inode) => format!("{kind}:[{inode}]").into_bytes(),
        None => kind.as_bytes().to_vec(),
    }
}

impl CallView<'_> {
    /// The two descriptors pipe, pipe2 and socketpair returned, with what
    /// they refer to.
    pub fn fd_pair_names(&self) -> Option<[(i64, Vec<u8>); 2]> {
        let FdEffect::Pair(kind) = self.syscall.fds else {
            return None;
        };
        let arg = self.syscall.args.iter().position(|a| {
            matches!(
                a,
                Arg::Mem {
                    shape: Shape::IntPair,
                    ..
                }
            )
        })?;
        let (a, b) = self.int_pair(arg as u8)?;
        let inodes = self.fd_inodes();
        Some([
            (a, inode_name(kind, inodes.first().copied())),
            (b, inode_name(kind, inodes.get(1).copied())),
        ])
    }
}
