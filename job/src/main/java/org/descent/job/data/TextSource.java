package org.descent.job.data;

import java.util.Iterator;

import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapred.FileSplit;
import org.apache.hadoop.mapred.TextInputFormat;
import org.apache.spark.api.java.JavaHadoopRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Reads text lines (UTF-8; '\n', '\r' or "\r\n" line ends; .gz/.bz2 etc. by extension) from any Hadoop
 * filesystem path, directory or glob through Hadoop's {@code TextInputFormat}, tagging each line with
 * its file and split start. Line numbers are exact: the validation pass counts the lines of every split,
 * and the driver adds up the counts of the earlier splits of the same file.
 */
final class TextSource {
    private TextSource() {}

    static JavaRDD<Record> open(JavaSparkContext jsc, String path) {
        @SuppressWarnings("unchecked")
        JavaHadoopRDD<LongWritable, Text> raw = (JavaHadoopRDD<LongWritable, Text>)
                jsc.hadoopFile(path, TextInputFormat.class, LongWritable.class, Text.class);
        return raw.mapPartitionsWithInputSplit((split, lines) -> {
            FileSplit fs = (FileSplit) split;
            String file = fs.getPath().toString();
            long start = fs.getStart();
            return new Iterator<Record>() {
                @Override
                public boolean hasNext() {
                    return lines.hasNext();
                }

                @Override
                public Record next() {
                    return new Record(file, start, lines.next()._2().toString());
                }
            };
        }, false);
    }
}
