import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Client properties files on disk: named clusters in
/// `${XDG_CONFIG_HOME:-~/.config}/kafkalab/clusters/NAME.properties`, and any
/// file given to `--config`. Reading one warns (as ssh does for a key) when
/// its permissions let the group or others read it, since it may hold credentials.
public enum ClusterFiles {
    /// The directory of named clusters.
    public static func directory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base =
            environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.config")
        return base + "/kafkalab/clusters"
    }

    /// The names of the clusters in `directory`, sorted.
    public static func names(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory(environment: environment))) ?? []
        return files.filter { $0.hasSuffix(".properties") && !$0.hasPrefix(".") }
            .map { String($0.dropLast(".properties".count)) }.sorted()
    }

    /// A name `connect NAME` takes: letters, digits, `.`, `_`, `-`, not starting with a dot.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix(".")
            && name.unicodeScalars.allSatisfy {
                CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)
            }
    }

    /// The file of a named cluster, or a one-line error naming the ones there are.
    public static func path(
        ofCluster name: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> String {
        let dir = directory(environment: environment)
        guard isValidName(name) else {
            throw LabError.invalid(
                "'\(name)' is not a cluster name (letters, digits, '.', '_', '-'): files live in \(dir)")
        }
        let path = dir + "/" + name + ".properties"
        guard FileManager.default.fileExists(atPath: path) else {
            let known = names(environment: environment)
            let near = NearestNames.suggest(name, from: known)
            throw LabError.notFound(
                "no cluster named '\(name)' (a broker address needs HOST:PORT): \(path) does not exist; "
                    + (known.isEmpty
                        ? "put a client properties file there (README: Using your own cluster)"
                        : near.isEmpty
                            ? "known: " + known.joined(separator: ", ")
                            : "did you mean " + near.joined(separator: ", ") + "?"))
        }
        return path
    }

    /// A properties file's text (UTF-8, else ISO-8859-1 as Java reads it) and, when
    /// the group or others may read it, a warning line.
    public static func read(_ path: String) throws -> (text: String, warning: String?) {
        let expanded = (path as NSString).expandingTildeInPath
        guard let data = FileManager.default.contents(atPath: expanded) else {
            throw LabError.invalid("cannot read \(path): no such file or not readable")
        }
        let text = String(data: data, encoding: .utf8) ?? String(decoding: data.map { UInt16($0) }, as: UTF16.self)
        var info = stat()
        var warning: String?
        if stat(expanded, &info) == 0, info.st_mode & 0o044 != 0 {
            let mode = String(info.st_mode & 0o777, radix: 8)
            warning =
                "\(path) is readable by \(info.st_mode & 0o004 != 0 ? "others" : "its group") (mode \(mode)) and may hold credentials; `chmod 600 \(path)`"
        }
        return (text, warning)
    }

    /// The profile of `--cluster NAME`, then each `--config FILE` (later wins),
    /// then each `-X key=value`; the warnings of the files read.
    public static func profile(
        cluster: String?, files: [String], settings: [String],
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> (profile: ClusterProfile, warnings: [String]) {
        var profile = ClusterProfile()
        var warnings: [String] = []
        let paths = try (cluster.map { [try path(ofCluster: $0, environment: environment)] } ?? []) + files
        for path in paths {
            let (text, warning) = try read(path)
            if let warning { warnings.append(warning) }
            try profile.add(fileText: text, path: path)
        }
        for setting in settings { try profile.add(setting: setting) }
        return (profile, warnings)
    }
}
