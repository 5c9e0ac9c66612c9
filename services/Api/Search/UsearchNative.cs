using System.Runtime.InteropServices;
using Cloud.Unum.USearch;

namespace Papers.Api.Search;

/// <summary>
/// The C API of USearch (<c>libusearch_c</c>, shipped in the Cloud.Unum.USearch package), called
/// directly: the package's managed wrapper grows capacity one vector at a time inside
/// <c>Add</c> (a reserve must not run concurrently with searches) and exposes neither the search
/// expansion, the thread-context count nor the memory usage, which this index needs.
/// </summary>
internal static class UsearchNative
{
    private const string Library = "libusearch_c";

    [StructLayout(LayoutKind.Sequential)]
    public struct InitOptions
    {
        public MetricKind MetricKind;
        public IntPtr Metric;
        public ScalarKind Quantization;
        public nuint Dimensions;
        public nuint Connectivity;
        public nuint ExpansionAdd;
        public nuint ExpansionSearch;
        public byte Multi;
    }

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern IntPtr usearch_init(ref InitOptions options, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern void usearch_free(IntPtr index, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern void usearch_save(IntPtr index, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern void usearch_load(IntPtr index, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern nuint usearch_size(IntPtr index, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern nuint usearch_capacity(IntPtr index, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern nuint usearch_dimensions(IntPtr index, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern nuint usearch_memory_usage(IntPtr index, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern void usearch_change_expansion_search(IntPtr index, nuint expansion, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern void usearch_change_threads_add(IntPtr index, nuint threads, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern void usearch_change_threads_search(IntPtr index, nuint threads, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern void usearch_reserve(IntPtr index, nuint capacity, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern void usearch_add(IntPtr index, ulong key, ref float vector, ScalarKind kind, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl, EntryPoint = "usearch_add")]
    public static extern void usearch_add_i8(IntPtr index, ulong key, ref sbyte vector, ScalarKind kind, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static extern bool usearch_contains(IntPtr index, ulong key, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern nuint usearch_search(IntPtr index, ref float query, ScalarKind kind, nuint limit,
        ref ulong keys, ref float distances, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl, EntryPoint = "usearch_search")]
    public static extern nuint usearch_search_i8(IntPtr index, ref sbyte query, ScalarKind kind, nuint limit,
        ref ulong keys, ref float distances, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern void usearch_metadata([MarshalAs(UnmanagedType.LPUTF8Str)] string path, ref InitOptions options, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern nuint usearch_get(IntPtr index, ulong key, nuint count, ref float vector, ScalarKind kind, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern nuint usearch_remove(IntPtr index, ulong key, out IntPtr error);

    /// <summary>Throws the library's message, if the last call set one.</summary>
    public static void Check(IntPtr error, string operation)
    {
        if (error != IntPtr.Zero)
            throw new InvalidOperationException($"USearch {operation} failed: {Marshal.PtrToStringUTF8(error)}");
    }
}
