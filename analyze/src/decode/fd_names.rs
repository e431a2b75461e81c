//! How descriptors that name no path are named, as /proc and strace -y name
//! them: by the inode the recorder read behind them.

use super::CallView;

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
        let (arg, kind) = match self.syscall.name {
            "pipe" | "pipe2" => (0, "pipe"),
            "socketpair" => (3, "socket"),
            _ => return None,
        };
        let (a, b) = self.int_pair(arg)?;
        let inodes = self.fd_inodes();
        Some([
            (a, inode_name(kind, inodes.first().copied())),
            (b, inode_name(kind, inodes.get(1).copied())),
        ])
    }
}
