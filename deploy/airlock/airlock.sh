#!/bin/sh
# `airlock` inside the image: the CLI on its runtime classpath. AIRLOCK_JAVA_OPTS sets JVM options.
# shellcheck disable=SC2086
exec java ${AIRLOCK_JAVA_OPTS:-} -cp "/opt/airlock/airlock-app.jar:/opt/airlock/lib/*" io.airlock.app.AirlockCli "$@"
