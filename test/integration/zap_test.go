package integration

import "go.uber.org/zap/zapcore"

type zapcoreLevel = zapcore.Level
