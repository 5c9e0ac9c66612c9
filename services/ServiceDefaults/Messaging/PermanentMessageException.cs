namespace Papers.ServiceDefaults.Messaging;

/// <summary>
/// A message that can never be handled, whatever the retries (an unknown paper id, a source
/// that isn't configured): it skips in-process retries and goes straight to <c>&lt;queue&gt;_error</c>.
/// </summary>
public class PermanentMessageException(string message, Exception? inner = null) : Exception(message, inner);
