extension StringProtocol {
    /// The text as quoted in an error message: whole when it has at most `limit` characters, else its first
    /// `limit` characters, "…" and the full length. Values come from untrusted files, and a million-digit number
    /// or a megabyte-long cell must not be echoed whole into a message.
    public func errorExcerpt(limit: Int = 80) -> String {
        guard let cut = index(startIndex, offsetBy: limit, limitedBy: endIndex), cut != endIndex else {
            return String(self)
        }
        return String(self[..<cut]) + "… (\(count) characters)"
    }
}
