"""AlphaZero-style self-play training: config, self-play, replay buffer, updates, checkpoints."""

from agents.alphazero.config import TrainConfig, default_config
from agents.alphazero.trainer import Trainer, TrainingError

__all__ = ["TrainConfig", "Trainer", "TrainingError", "default_config"]
