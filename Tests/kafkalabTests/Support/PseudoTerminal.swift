import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The kafkalab binary on a pseudo-terminal of its own, as in a terminal
/// window: the terminal is its controlling terminal and it is the foreground
/// process group, so a typed Ctrl-C (byte 3) becomes a SIGINT from the kernel,
/// exactly as when a user presses it.
final class PseudoTerminalRun: Sendable {
    let pid: pid_t
    private let master: Int32
    private let received = Mutex(Data())
    private let exitStatus = Mutex<Int32?>(nil)

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        var env = ProcessInfo.processInfo.environment
        env["KAFKA_BOOTSTRAP"] = nil
        env["TERM"] = "xterm"
        env.merge(environment) { $1 }
        let path = KafkalabBinary.url.path
        // Built before the fork: between fork and exec the child only execs.
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        var fd: Int32 = -1
        var size = winsize(ws_row: 40, ws_col: 120, ws_xpixel: 0, ws_ypixel: 0)
        let child = forkpty(&fd, nil, nil, &size)
        if child == 0 {
            execve(path, argv, envp)
            _exit(127)
        }
        guard child > 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        pid = child
        master = fd
        Thread.detachNewThread { [self] in readUntilClosed() }
    }

    /// Ends the child if it still runs (its reading thread holds this object
    /// until the terminal closes, so a deinit would never come): `defer { run.end() }`.
    func end() {
        guard exitStatus.withLock({ $0 }) == nil else { return }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        exitStatus.withLock { $0 = 128 + SIGKILL }
    }

    private func readUntilClosed() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(master, &buffer, buffer.count)
            if n > 0 {
                received.withLock { $0.append(contentsOf: buffer[0..<n]) }
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                close(master)
                return  // EIO once the child has gone
            }
        }
    }

    /// Everything the terminal showed so far.
    var screen: String { received.withLock { String(decoding: $0, as: UTF8.self) } }

    /// Types keys: text, "\r" for Enter, "\u{3}" for Ctrl-C.
    func type(_ keys: String) {
        var bytes = Array(keys.utf8)
        _ = write(master, &bytes, bytes.count)
    }

    /// Waits until `condition` holds for the screen; false after `timeout` seconds.
    func within(_ timeout: Double, _ condition: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition(screen) { return true }
            usleep(10_000)
        }
        return condition(screen)
    }

    /// How many of the child's threads are running or runnable now (state R
    /// in /proc): a thread spinning at 100 % CPU is R in every sample.
    func runningThreads() -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.filter { task in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            return stat[close...].dropFirst(2).first == "R"
        }.count
    }

    /// How often `text` appears on the screen so far.
    func count(_ text: String) -> Int { screen.components(separatedBy: text).count - 1 }

    /// The exit status (128 + N after signal N's default action), or nil if
    /// still running after `timeout` seconds.
    func waitForExit(timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
                exitStatus.withLock { $0 = code }
                return code
            }
            usleep(10_000)
        }
        return nil
    }
}
