Console.Error.WriteLine("reborn: the server command arrives with the RESP issue.");
return 1;
