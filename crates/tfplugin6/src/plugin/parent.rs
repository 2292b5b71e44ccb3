//! Ending the process when Terraform, which started it, is gone (killed with `kill -9` or from
//! the Task Manager, say): nobody would read our answers, and we must stop writing to the
//! clouds. The watch runs on its own thread so a busy runtime cannot delay it. (`--debug`
//! providers have no such parent and are not watched.)

/// Starts watching the parent process.
pub fn exit_with_parent() {
    if let Err(e) = std::thread::Builder::new().name("parent-watch".into()).spawn(watch) {
        tracing::warn!(error = %e, "cannot watch the parent process");
    }
}

fn parent_gone(parent: u32) -> ! {
    tracing::warn!(parent, "Terraform exited without stopping the provider; exiting");
    std::process::exit(1);
}

/// Unix re-parents an orphan, so a changed parent id means Terraform is gone.
#[cfg(unix)]
fn watch() {
    const CHECK: std::time::Duration = std::time::Duration::from_millis(200);
    let parent = std::os::unix::process::parent_id();
    loop {
        std::thread::sleep(CHECK);
        if std::os::unix::process::parent_id() != parent {
            parent_gone(parent);
        }
    }
}

/// Windows never re-parents: the parent is found once by id in a process snapshot, opened, and
/// waited on. An id already reused by a younger process means the parent died before we looked.
#[cfg(windows)]
fn watch() {
    match windows::parent() {
        Ok(Some(parent)) => {
            parent.wait();
            parent_gone(parent.id);
        }
        Ok(None) => parent_gone(0),
        Err(e) => tracing::warn!(error = %e, "cannot watch the parent process"),
    }
}

#[cfg(not(any(unix, windows)))]
fn watch() {}

#[cfg(windows)]
mod windows {
    use std::io;

    use windows_sys::Win32::Foundation::{CloseHandle, FILETIME, HANDLE, INVALID_HANDLE_VALUE};
    use windows_sys::Win32::System::Diagnostics::ToolHelp::{
        CreateToolhelp32Snapshot, PROCESSENTRY32W, Process32FirstW, Process32NextW, TH32CS_SNAPPROCESS,
    };
    use windows_sys::Win32::System::Threading::{
        GetCurrentProcess, GetProcessTimes, INFINITE, OpenProcess, PROCESS_QUERY_LIMITED_INFORMATION,
        PROCESS_SYNCHRONIZE, WaitForSingleObject,
    };

    /// An open handle to the parent process, closed on drop.
    pub(super) struct Parent {
        pub id: u32,
        handle: HANDLE,
    }

    impl Parent {
        pub fn wait(&self) {
            // SAFETY: `handle` is an open process handle owned by `self`.
            unsafe { WaitForSingleObject(self.handle, INFINITE) };
        }
    }

    impl Drop for Parent {
        fn drop(&mut self) {
            // SAFETY: `handle` is open and closed only here.
            unsafe { CloseHandle(self.handle) };
        }
    }

    /// The running parent, `None` when it has already exited; an error when no parent is known
    /// (a process whose parent is not a Windows process, such as one started under wine).
    pub(super) fn parent() -> io::Result<Option<Parent>> {
        let id = parent_id()?;
        if id == 0 {
            return Err(io::Error::other("no parent process id"));
        }
        // SAFETY: plain call; a null handle is checked.
        let handle = unsafe { OpenProcess(PROCESS_SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, 0, id) };
        if handle.is_null() {
            // The id names no process any more: the parent is gone.
            return Ok(None);
        }
        let parent = Parent { id, handle };
        // SAFETY: the pseudo-handle of the current process needs no closing.
        let ours = created(unsafe { GetCurrentProcess() })?;
        Ok((created(parent.handle)? <= ours).then_some(parent))
    }

    fn parent_id() -> io::Result<u32> {
        // SAFETY: a snapshot handle is checked and closed below.
        let snapshot = unsafe { CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0) };
        if snapshot == INVALID_HANDLE_VALUE {
            return Err(io::Error::last_os_error());
        }
        let ours = std::process::id();
        // SAFETY: PROCESSENTRY32W is plain data; dwSize is set as the API requires.
        let mut entry: PROCESSENTRY32W = unsafe { std::mem::zeroed() };
        entry.dwSize = std::mem::size_of::<PROCESSENTRY32W>() as u32;
        let mut found = None;
        // SAFETY: `snapshot` is open and `entry` is a valid, sized PROCESSENTRY32W.
        let mut more = unsafe { Process32FirstW(snapshot, &mut entry) } != 0;
        while more {
            if entry.th32ProcessID == ours {
                found = Some(entry.th32ParentProcessID);
                break;
            }
            // SAFETY: as above.
            more = unsafe { Process32NextW(snapshot, &mut entry) } != 0;
        }
        // SAFETY: `snapshot` is open and closed once.
        unsafe { CloseHandle(snapshot) };
        found.ok_or_else(|| io::Error::other("this process is not in the process snapshot"))
    }

    /// When `process` was started, in 100 ns ticks.
    fn created(process: HANDLE) -> io::Result<u64> {
        let zero = FILETIME { dwLowDateTime: 0, dwHighDateTime: 0 };
        let (mut creation, mut exit, mut kernel, mut user) = (zero, zero, zero, zero);
        // SAFETY: `process` is an open handle with query rights; the out-pointers are valid.
        let ok = unsafe { GetProcessTimes(process, &mut creation, &mut exit, &mut kernel, &mut user) };
        if ok == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok((u64::from(creation.dwHighDateTime) << 32) | u64::from(creation.dwLowDateTime))
    }
}
