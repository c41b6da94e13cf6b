//! Clients that hold connections to the local API open (slow-loris): over
//! real loopback sockets to the real `labrun sandbox`, bounded in count and
//! time, with no fixed sleeps and no wall-clock assertions.

mod support;

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::time::Duration;
use support::{PATIENCE, SandboxProcess, api_get, labrun_std};

const IDLE_SOCKETS: usize = 2000;

fn addr(sandbox: &SandboxProcess) -> SocketAddr {
    let origin = sandbox.export("REPLICATED_API_ORIGIN");
    origin.strip_prefix("http://").unwrap().parse().unwrap()
}

/// Whether the server closed `stream` (reads end, or are reset) before
/// [`PATIENCE`] ran out.
fn closed_by_server(stream: &mut TcpStream) -> bool {
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut buf = [0u8; 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
}

#[test]
fn a_request_head_that_never_ends_is_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let sandbox = SandboxProcess::start(&[OsStr::new("--state"), state.as_os_str()]);
    let mut half_open = TcpStream::connect(addr(&sandbox)).unwrap();
    half_open
        .write_all(b"GET /v3/apps HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .unwrap();
    let mut silent = TcpStream::connect(addr(&sandbox)).unwrap();
    assert!(
        closed_by_server(&mut half_open),
        "a half-sent head is held open"
    );
    assert!(
        closed_by_server(&mut silent),
        "a silent connection is held open"
    );
    assert_eq!(api_get(&sandbox.env(), "/v3/apps"), Some(200));
}

/// Raises this process's descriptor soft limit to what the test needs;
/// false if the hard limit does not allow it.
fn allow_descriptors(wanted: u64) -> bool {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit with a valid struct.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 || limit.rlim_max < wanted {
            return false;
        }
        if limit.rlim_cur < wanted {
            limit.rlim_cur = wanted;
            return libc::setrlimit(libc::RLIMIT_NOFILE, &limit) == 0;
        }
    }
    true
}

#[test]
fn a_normal_client_is_served_while_2000_idle_sockets_are_open() {
    assert!(
        allow_descriptors(IDLE_SOCKETS as u64 + 512),
        "the hard descriptor limit is below {} (ulimit -Hn)",
        IDLE_SOCKETS + 512
    );
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let mut cmd = labrun_std();
    cmd.arg("sandbox").arg("--state").arg(&state);
    // The server runs under the common default of 1,024 descriptors, soft
    // and hard: fewer than the sockets it is about to be offered.
    // SAFETY: setrlimit is async-signal-safe; nothing else runs in the child.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 1024,
                rlim_max: 1024,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    let sandbox = SandboxProcess::start_with(&mut cmd);
    let target = addr(&sandbox);
    let mut idle = Vec::with_capacity(IDLE_SOCKETS);
    for i in 0..IDLE_SOCKETS {
        // Bounded: a server that stopped accepting fails the test, not hangs it.
        let Ok(mut stream) = TcpStream::connect_timeout(&target, Duration::from_secs(10)) else {
            break; // the server stopped accepting: asserted below
        };
        if i % 2 == 0 {
            // Half of them start a request and never finish it.
            let _ = stream.write_all(b"POST /v3/app/x/release HTTP/1.1\r\nHost: a\r\n");
        }
        idle.push(stream);
    }
    let opened = idle.len();
    assert_eq!(api_get(&sandbox.env(), "/v3/apps"), Some(200));
    // Every socket got a connection (the listen queue never overflowed).
    assert_eq!(opened, IDLE_SOCKETS);
}
