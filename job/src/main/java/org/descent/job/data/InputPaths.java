package org.descent.job.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

/** Driver-side checks on the input path through the Hadoop FileSystem API (any scheme). */
final class InputPaths {
    private InputPaths() {}

    /** Fails with a clear message when nothing matches {@code path} (file, directory or glob). */
    static void requireExists(Configuration conf, String path) {
        try {
            Path p = new Path(path);
            FileStatus[] st = p.getFileSystem(conf).globStatus(p);
            if (st == null || st.length == 0) {
                throw new DataException("input path does not exist: " + path
                        + " (check the path, its filesystem scheme, e.g. hdfs:// or s3a://, and permissions)");
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new DataException("cannot access input path " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * The data files under {@code path} as Hadoop lists them (hidden _ and . files skipped), sorted by path: what the
     * text readers read. Parquet read ahead of Spark lists as Spark's file index does instead ({@link #sparkIndexFiles}).
     */
    static List<FileStatus> files(Configuration conf, String path) throws IOException {
        Path p = new Path(path);
        FileSystem fs = p.getFileSystem(conf);
        List<FileStatus> out = new ArrayList<>();
        FileStatus[] matches = fs.globStatus(p);
        if (matches == null) return out;
        for (FileStatus m : matches) {
            if (m.isDirectory()) {
                for (FileStatus c : fs.listStatus(m.getPath())) if (c.isFile() && visible(c.getPath())) out.add(c);
            } else if (visible(m.getPath())) {
                out.add(m);
            }
        }
        out.sort(Comparator.comparing(s -> s.getPath().toString()));
        return out;
    }

    /**
     * The input's files as Spark's file index lists them for an unpartitioned input: the path (or its glob's matches)
     * when a file, else the directory's files ({@code PartitioningAwareFileIndex.allFiles}: a root's direct children,
     * data paths only). Null when a directory holds a directory (partitions or nesting: Spark's own listing decides).
     */
    static List<FileStatus> sparkIndexFiles(Configuration conf, String path) throws IOException {
        Path root = new Path(path);
        FileSystem fs = root.getFileSystem(conf);
        List<FileStatus> out = new ArrayList<>();
        FileStatus[] matched = fs.globStatus(fs.makeQualified(root));
        for (FileStatus st : matched == null ? new FileStatus[0] : matched) {
            if (!st.isDirectory()) {
                if (dataPath(st.getPath().getName())) out.add(st);
                continue;
            }
            for (FileStatus child : fs.listStatus(st.getPath())) {
                String name = child.getPath().getName();
                if (!dataPath(name) || name.endsWith("._COPYING_")) continue; // HadoopFSUtils.shouldFilterOutPathName
                if (child.isDirectory()) return null;
                out.add(child);
            }
        }
        out.sort(Comparator.comparing((FileStatus st) -> st.getPath().toString()));
        return out;
    }

    /** Spark's {@code PartitioningAwareFileIndex.isDataPath}: not hidden ({@code .}), not metadata ({@code _} without {@code =}). */
    private static boolean dataPath(String name) {
        return !((name.startsWith("_") && !name.contains("=")) || name.startsWith("."));
    }

    private static boolean visible(Path p) {
        String n = p.getName();
        return !n.startsWith("_") && !n.startsWith(".");
    }

    /**
     * The first non-blank line of the first non-empty data file (sorted by path), decompressed by
     * extension; {file, line}, or null when every file is empty.
     */
    static String[] firstLine(Configuration conf, String path) {
        try {
            CompressionCodecFactory codecs = new CompressionCodecFactory(conf);
            for (FileStatus f : files(conf, path)) {
                FileSystem fs = f.getPath().getFileSystem(conf);
                CompressionCodec codec = codecs.getCodec(f.getPath());
                try (InputStream raw = fs.open(f.getPath());
                     InputStream in = codec == null ? raw : codec.createInputStream(raw);
                     BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        if (!line.isBlank()) return new String[] {f.getPath().toString(), line};
                    }
                }
            }
            return null;
        } catch (IOException e) {
            throw new DataException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }
}
