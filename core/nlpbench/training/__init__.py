"""Training: fine-tuning and pretraining orchestration behind `nlpbench finetune`/`pretrain`."""
