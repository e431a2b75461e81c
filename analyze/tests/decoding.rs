//! Decoding details that a sample cannot make happen on every run, on
//! traces built by hand, against the lines strace prints.

mod common;

use common::{call, capture, show, trace};

/// wait4 with WNOHANG that found no child ended (= 0) wrote no status:
/// strace prints the address, as measured with strace 6.1:
/// `wait4(13251, 0x7fffffffe628, WNOHANG, NULL) = 0`.
#[test]
fn a_wait_that_reaped_nothing_shows_no_status() {
    const WNOHANG: u64 = 1;
    let exited = 0u32.to_ne_bytes();
    let (_dir, trace) = trace("x86_64", |w, ts| {
        let args = [13251, 0x7fff_ffff_e628, WNOHANG, 0, 0, 0];
        call(w, ts, 61, args, vec![], (0, vec![capture(1, &exited)]));
        call(w, ts, 61, args, vec![], (13251, vec![capture(1, &exited)]));
    });
    assert_eq!(
        show(&trace),
        "wait4(13251, 0x7fffffffe628, WNOHANG, NULL) = 0\n\
         wait4(13251, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], WNOHANG, NULL) = 13251\n"
    );
}
