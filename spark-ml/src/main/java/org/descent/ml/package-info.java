/** descent as Spark ML Estimators and Models. */
package org.descent.ml;
